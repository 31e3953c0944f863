/**
 * Tasks (spec/STATE.md section 5): the initial state hash computed from the
 * module's fields equals the stepper's own state hash at step 0 for every
 * corpus program, several inputs and several limits; the module id commits to
 * every field; the result check accepts the true final header and refuses a
 * wrong output, status or length. (The Solidity twin is checked against the same
 * functions in contracts/test/task-spec.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CORPUS, corpusBytes } from "./corpus/corpus.ts";
import { compileWasm } from "../src/load.ts";
import type { CompiledModule } from "../src/compile/types.ts";
import { Machine } from "../src/machine.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { stateHashAt } from "../src/state/prove.ts";
import { ProofError } from "../src/state/errors.ts";
import { headerHash, STATUS_CODE, type Header } from "../src/state/header.ts";
import {
  MODULE_FIELD_NAMES,
  ResultError,
  TaskError,
  checkResult,
  headerWordsOf,
  initialStateHash,
  inputRoot,
  moduleFields,
  moduleId,
  outputHash,
  type ModuleFields,
} from "../src/state/task.ts";
import { LIMIT_NAMES, type Limits } from "../src/types.ts";
import { randomBytes } from "./helpers/random-bytes.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const INPUTS: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(7), randomBytes(33, 1), randomBytes(3000, 2)];
const LIMITS: Partial<Limits>[] = [
  {},
  { maxSteps: 0 },
  { maxSteps: 5000, maxMemoryPages: 16, maxCallDepth: 64, maxValueStack: 2048, maxOutputBytes: 100 },
  { maxMemoryPages: 65536, maxOutputBytes: 1 << 16 },
  { maxMemoryPages: 300 },
];

const modules: { name: string; cm: CompiledModule }[] = [];
beforeAll(async () => {
  for (const p of CORPUS) {
    const cm = await compileWasm(await corpusBytes(p));
    if (cm.taskBootstrap >= 0) modules.push({ name: p.name, cm });
  }
});

describe("tasks: initial state", () => {
  it("test_task_initialStateHash_everyCorpusProgramInputLimits_equalsStateHashAtZero", () => {
    expect(modules.length).toBeGreaterThanOrEqual(6);
    let n = 0;
    for (const { name, cm } of modules) {
      const f = moduleFields(cm);
      for (const input of INPUTS)
        for (const limits of LIMITS) {
          if (f.memoryPages > (limits.maxMemoryPages ?? 1024)) {
            expect(() => initialStateHash(cm, input, limits)).toThrow(TaskError);
            continue;
          }
          const want = stateHashAt({ cm, opts: { input, limits } }, 0);
          expect(hex(initialStateHash(f, input, limits)), `${name} ${input.length} ${JSON.stringify(limits)}`).toBe(hex(want));
          n++;
        }
    }
    expect(n).toBeGreaterThan(100);
  });

  it("test_task_inputRoot_matchesCommitment", () => {
    const cm = modules[0]!.cm;
    for (const input of INPUTS) {
      const h = new StateCommitment(Machine.forTask(cm, { input })).header();
      expect(hex(inputRoot(input))).toBe(hex(h.inputRoot));
    }
  });

  it("test_task_moduleId_commitsToEveryField", () => {
    const f = moduleFields(modules[0]!.cm);
    const id = hex(moduleId(f));
    expect(hex(moduleId(modules[0]!.cm))).toBe(id);
    for (const k of MODULE_FIELD_NAMES) {
      const g = { ...f } as Record<string, unknown>;
      const v = f[k];
      g[k] = typeof v === "number" ? v + 1 : Uint8Array.from(v, (b, i) => (i === 0 ? b ^ 1 : b));
      expect(hex(moduleId(g as unknown as ModuleFields)), k).not.toBe(id);
    }
    const ids = new Set(modules.map((m) => hex(moduleId(m.cm))));
    expect(ids.size).toBe(modules.length);
  });

  it("test_task_limitNames_areTheStaticHashOrder", () => {
    expect(LIMIT_NAMES).toEqual(["maxSteps", "maxMemoryPages", "maxCallDepth", "maxValueStack", "maxOutputBytes"]);
  });
});

/** The final header of a task run to its end. */
function finalOf(cm: CompiledModule, input: Uint8Array, limits: Partial<Limits>): { h: Header; output: Uint8Array } {
  const m = Machine.forTask(cm, { input, limits });
  const r = m.run();
  return { h: new StateCommitment(m).header(), output: r.output };
}

describe("tasks: result check", () => {
  it("test_task_checkResult_trueFinalHeader_accepted_wrongOutputStatusLength_refused", () => {
    let checked = 0;
    for (const { name, cm } of modules)
      for (const input of INPUTS.slice(0, 3)) {
        const { h, output } = finalOf(cm, input, { maxSteps: 300_000 });
        const fsh = headerHash(h);
        const words = headerWordsOf(h);
        const claim = checkResult(fsh, words, output);
        expect(claim.steps, name).toBe(h.steps);
        expect(hex(claim.outputHash)).toBe(hex(outputHash(output)));
        expect(STATUS_CODE[claim.status]).toBe(h.status);
        // A different output: one byte flipped, one byte more, one byte less.
        const flipped = output.length ? Uint8Array.from(output, (b, i) => (i === output.length - 1 ? b ^ 1 : b)) : Uint8Array.of(0);
        const code = (f: () => unknown) => {
          try {
            f();
          } catch (e) {
            return e instanceof ResultError || e instanceof ProofError ? e.code : String(e);
          }
          return "accepted";
        };
        expect(code(() => checkResult(fsh, words, flipped))).toBe("OutputMismatch");
        expect(code(() => checkResult(fsh, words, Uint8Array.of(...output, 0)))).toBe("OutputMismatch");
        if (output.length) expect(code(() => checkResult(fsh, words, output.subarray(0, output.length - 1)))).toBe("OutputMismatch");
        // A different status (running, or another terminal one) no longer hashes to the claim.
        for (const status of [0, 1, 2, 3].filter((s) => s !== h.status)) {
          const w2 = headerWordsOf({ ...h, status });
          expect(code(() => checkResult(fsh, w2, output))).toBe("ResultHashMismatch");
          expect(code(() => checkResult(headerHash({ ...h, status }), w2, output))).toBe(status === 0 ? "ResultNotTerminal" : "accepted");
        }
        // A lie about the output length in a self-consistent header.
        const longer = { ...h, outputLength: h.outputLength + 1 };
        expect(code(() => checkResult(headerHash(longer), headerWordsOf(longer), output))).toBe("OutputMismatch");
        expect(code(() => checkResult(fsh, words.subarray(32), output))).toBe("BadHeaderLength");
        checked++;
      }
    expect(checked).toBeGreaterThan(15);
  });
});
