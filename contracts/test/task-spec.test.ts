/**
 * TaskSpec (contracts/src/task/TaskSpec.sol) in lockstep with wasm-stepper/src/state/task.ts
 * (spec/STATE.md section 5): for every corpus program with a task entry (wasm-stepper's corpus and
 * this package's bigmem.wat) x inputs (empty, 1 byte, 33 bytes, 3000 bytes) x limits, the contract's
 * initial state hash equals the stepper's state hash at step 0; module ids, input roots and output
 * hashes agree; the result check accepts the true final header and refuses a wrong output, status or
 * length with the same error as the TypeScript check.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import {
  Machine,
  StateCommitment,
  checkResult,
  compileWasm,
  headerWordsOf,
  inputRoot,
  moduleFields,
  moduleId,
  outputHash,
  stateHashAt,
  ResultError,
  ProofError,
  type CompiledModule,
  type Limits,
} from "@vwasm/wasm-stepper";
import { headerHash } from "@vwasm/wasm-stepper/state";
import { CORPUS, corpusBytes } from "@vwasm/wasm-stepper/testing";
import { deployOnHardhat, deployProtocolContract, errorName, type Deployed } from "./helpers/chain";
import { compileWat, hex } from "./helpers/stepper.mts";
import { fieldsToAbi, limitsToAbi } from "./helpers/task.mts";
import { loadProtocolArtifact } from "../scripts/lib/artifacts";

let d: Deployed;
let probe: Address;
const abi = loadProtocolArtifact("TaskSpecProbe").abi;
const modules: { name: string; cm: CompiledModule }[] = [];

beforeAll(async () => {
  d = await deployOnHardhat();
  probe = await deployProtocolContract(d, "TaskSpecProbe");
  for (const p of CORPUS) {
    const cm = await compileWasm(await corpusBytes(p));
    if (cm.taskBootstrap >= 0) modules.push({ name: p.name, cm });
  }
  modules.push({ name: "bigmem.wat", cm: await compileWat(readFileSync(new URL("./programs/bigmem.wat", import.meta.url), "utf8"), "bigmem.wat") });
});

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 3)) & 255);
const INPUTS = [new Uint8Array(0), Uint8Array.of(0x5a), bytes(33, 1), bytes(3000, 2)];
const LIMITS: Partial<Limits>[] = [
  {},
  { maxSteps: 0 },
  { maxSteps: 5000, maxMemoryPages: 16, maxCallDepth: 64, maxValueStack: 2048, maxOutputBytes: 100 },
  { maxMemoryPages: 65536, maxOutputBytes: 1 << 16 },
  { maxMemoryPages: 300, maxSteps: 2 ** 53 - 1 },
];

const read = (functionName: string, args: readonly unknown[]) => d.client.readContract({ address: probe, abi, functionName, args });
async function outcome(functionName: string, args: readonly unknown[]): Promise<string> {
  try {
    await read(functionName, args);
    return "accepted";
  } catch (e) {
    return errorName(e);
  }
}

describe("TaskSpec lockstep", () => {
  it("test_taskSpec_initialStateHash_everyProgramInputLimits_equalsStateHashAtZero", async () => {
    let n = 0;
    for (const { name, cm } of modules) {
      const f = moduleFields(cm);
      const fields = fieldsToAbi(f);
      expect(await read("moduleId", [fields]), name).toBe(hex(moduleId(f)));
      for (const input of INPUTS)
        for (const limits of LIMITS) {
          const label = `${name} input ${input.length} ${JSON.stringify(limits)}`;
          if (f.memoryPages > (limits.maxMemoryPages ?? 1024)) {
            expect(await outcome("initialStateHash", [fields, hex(input), limitsToAbi(limits)]), label).toBe("ModuleNeedsMorePages");
            continue;
          }
          const want = hex(stateHashAt({ cm, opts: { input, limits } }, 0));
          expect(await read("initialStateHash", [fields, hex(input), limitsToAbi(limits)]), label).toBe(want);
          n++;
        }
    }
    expect(modules.length).toBeGreaterThanOrEqual(7);
    expect(n).toBeGreaterThan(120);
  });

  it("test_taskSpec_tableAboveMaxTableEntries_refusedOnBothSides", async () => {
    const wat = `(module (import "task" "output_write" (func $w (param i32 i32))) (memory 1) (table 5 funcref)
      (func $f) (elem (i32.const 0) $f) (func (export "run")))`;
    const cm = await compileWat(wat, "table5.wat");
    const f = moduleFields(cm);
    expect(f.tableSize).toBe(5);
    const fields = fieldsToAbi(f);
    const fits = { maxTableEntries: 5 };
    expect(await read("initialStateHash", [fields, "0x", limitsToAbi(fits)])).toBe(hex(stateHashAt({ cm, opts: { limits: fits } }, 0)));
    const tooSmall = { maxTableEntries: 4 };
    expect(await outcome("initialStateHash", [fields, "0x", limitsToAbi(tooSmall)])).toBe("ModuleNeedsMoreTableEntries");
    expect(() => stateHashAt({ cm, opts: { limits: tooSmall } }, 0)).toThrow(/maxTableEntries=4/);
  });

  it("test_taskSpec_inputRootAndOutputHash_manyLengths_matchStepper", async () => {
    for (const len of [0, 1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 1000, 1024, 4096, 65536]) {
      const b = bytes(len, len);
      expect(await read("inputRoot", [hex(b)]), `input ${len}`).toBe(hex(inputRoot(b)));
      expect(await read("outputHash", [hex(b)]), `output ${len}`).toBe(hex(outputHash(b)));
    }
  });

  it("test_taskSpec_limitOutOfRange_reverts", async () => {
    const fields = fieldsToAbi(moduleFields(modules[0]!.cm));
    for (const [k, v] of [["maxSteps", 2 ** 53], ["maxMemoryPages", 65537], ["maxCallDepth", 2 ** 24 + 1], ["maxValueStack", 2 ** 26 + 1], ["maxOutputBytes", 2 ** 30 + 1]] as const) {
      const limits = { ...limitsToAbi({}), [k]: BigInt(v) };
      expect(await outcome("initialStateHash", [fields, "0x", limits]), k).toBe("LimitOutOfRange");
      expect(() => Machine.forTask(modules[0]!.cm, { limits: { [k]: v } }), k).toThrow(/limit/);
    }
  });

  it("test_taskSpec_checkResult_trueHeaderAccepted_wrongOutputStatusLengthRefused_likeTypeScript", async () => {
    let checked = 0;
    const tsCode = (f: () => unknown): string => {
      try {
        f();
        return "accepted";
      } catch (e) {
        if (e instanceof ResultError || e instanceof ProofError) return e.code;
        throw e;
      }
    };
    for (const { name, cm } of modules)
      for (const input of INPUTS.slice(0, 3)) {
        const m = Machine.forTask(cm, { input, limits: { maxSteps: 200_000 } });
        const output = m.run().output;
        const h = new StateCommitment(m).header();
        const fsh = hex(headerHash(h));
        const words = headerWordsOf(h);
        const claim = (await read("checkResult", [fsh, hex(words), hex(output)])) as { finalStateHash: Hex; outputHash: Hex; steps: bigint; status: number; trapCode: number };
        expect(claim.steps, name).toBe(BigInt(h.steps));
        expect(claim.status).toBe(h.status);
        expect(claim.trapCode).toBe(h.trap);
        expect(claim.outputHash).toBe(hex(outputHash(output)));
        const cases: [string, Hex, Uint8Array, Uint8Array][] = [
          ["flipped output byte", fsh, words, output.length ? Uint8Array.from(output, (b, i) => (i === 0 ? b ^ 0x80 : b)) : Uint8Array.of(1)],
          ["one output byte more", fsh, words, Uint8Array.of(...output, 0)],
          ["one output byte less", fsh, words, output.subarray(0, Math.max(0, output.length - 1))],
          ["status running", hex(headerHash({ ...h, status: 0 })), headerWordsOf({ ...h, status: 0 }), output],
          ["other status, claimed hash", fsh, headerWordsOf({ ...h, status: h.status === 1 ? 2 : 1 }), output],
          ["length lie", hex(headerHash({ ...h, outputLength: h.outputLength + 1 })), headerWordsOf({ ...h, outputLength: h.outputLength + 1 }), output],
          ["short header", fsh, words.subarray(32), output],
          ["bad version", fsh, Uint8Array.from(words, (b, i) => (i === 31 ? b + 1 : b)), output],
        ];
        for (const [label, f, w, o] of cases) {
          if (label === "one output byte less" && output.length === 0) continue;
          const ts = tsCode(() => checkResult(Buffer.from(f.slice(2), "hex"), w, o));
          expect(ts, `${name}: ${label}`).not.toBe("accepted");
          expect(await outcome("checkResult", [f, hex(w), hex(o)]), `${name}: ${label}`).toBe(ts);
        }
        checked++;
      }
    expect(checked).toBeGreaterThan(18);
  });
});
