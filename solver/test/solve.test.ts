// The daemon's solve path on real programs: the submitted words pass the stepper's result check (the
// twin of the market's), the output is V8's, and bad modules are refused with their reason.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { toModuleFields } from "@vwasm/sdk";
import { checkResult, compileWasm, FinalStateThread, moduleFields, watToWasm } from "@vwasm/wasm-stepper";
import { hexToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { checkModule, solve, TaskRejected } from "../src/solve.ts";

const require = createRequire(import.meta.url);
const example = (n: string) => new Uint8Array(readFileSync(require.resolve(`@vwasm/wasm-stepper/examples/as/${n}.wasm`)));
const limits = (maxSteps: bigint) => ({ maxSteps, maxMemoryPages: 1024n, maxCallDepth: 16384n, maxValueStack: 1n << 20n, maxOutputBytes: 1n << 20n, maxTableEntries: 1n << 16n });

describe("solve", () => {
  it("test_solve_sha256_passesResultCheck_outputIsSha256", async () => {
    const wasm = example("sha256");
    const cm = checkModule(wasm, toModuleFields(moduleFields(compileWasm(wasm))));
    const input = new TextEncoder().encode("the quick brown fox ".repeat(50));
    const s = await solve(cm, input, limits(10n ** 9n));
    expect(s.status).toBe("finished");
    expect(Buffer.from(hexToBytes(s.output)).toString("hex")).toBe(createHash("sha256").update(input).digest("hex"));
    const claim = checkResult(hexToBytes(s.finalStateHash), hexToBytes(s.headerWords), hexToBytes(s.output));
    expect(claim.steps).toBe(s.steps);
    expect(claim.status).toBe("finished");
    expect(s.engine).toBe("native");
  });
  it("test_solve_inTheWorkerThread_sameResult_interpretedWhenOutOfSteps", async () => {
    const thread = new FinalStateThread();
    try {
      const cm = compileWasm(example("sha256"));
      const input = new TextEncoder().encode("in the worker thread");
      for (const [maxSteps, engine] of [[10n ** 9n, "native"], [3000n, "interpreter"]] as const) {
        const here = await solve(cm, input, limits(maxSteps));
        const there = await solve(cm, input, limits(maxSteps), thread);
        expect(there).toMatchObject({ finalStateHash: here.finalStateHash, headerWords: here.headerWords, output: here.output, steps: here.steps, status: here.status, engine });
      }
    } finally {
      await thread.close();
    }
  });
  it("test_solve_outOfSteps_isATerminalResult", async () => {
    const wasm = example("sha256");
    const s = await solve(compileWasm(wasm), new Uint8Array(1000), limits(5000n));
    expect(s.status).toBe("out_of_steps");
    expect(s.steps).toBe(5000);
    expect(checkResult(hexToBytes(s.finalStateHash), hexToBytes(s.headerWords), hexToBytes(s.output)).status).toBe("out_of_steps");
  });
  it("test_solve_trap_reportsTrapCode", async () => {
    const wasm = await watToWasm(`(module (func (export "run") unreachable))`);
    const s = await solve(compileWasm(wasm), new Uint8Array(), limits(100n));
    expect(s.status).toBe("trapped");
    expect(s.trap).toBe("unreachable");
  });
  it("test_checkModule_malformedBytes_rejectedModuleInvalid", () => {
    const fields = toModuleFields(moduleFields(compileWasm(example("crc32"))));
    const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]);
    expect(() => checkModule(bad, fields)).toThrow(TaskRejected);
    expect(() => checkModule(bad, fields)).toThrow(/^ModuleInvalid: the module's bytes do not load/);
  });
  it("test_checkModule_registrationMismatch_namesFields", () => {
    const fields = toModuleFields(moduleFields(compileWasm(example("crc32"))));
    expect(() => checkModule(example("sha256"), fields)).toThrow(/^ModuleMismatch: the bytes published for this module do not give its registered fields \(codeRoot/);
  });
});
