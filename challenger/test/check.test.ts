/**
 * checkClaim: a claim built from the interpreter's final state agrees with the native check, and
 * each kind of lie (status, trap code, step count, output, final state hash) is named; a true
 * out-of-steps claim agrees when checked in the worker thread (interpreted there).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { bytesToHex } from "viem";
import { compileWasm, FinalStateThread, headerHash, Machine, StateCommitment, STATUS_CODE } from "@vwasm/wasm-stepper";
import { outputHash, type Limits } from "@vwasm/sdk";
import { checkClaim } from "../src/check.ts";

const require = createRequire(import.meta.url);
const cm = compileWasm(readFileSync(require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm")));
const input = new TextEncoder().encode("the challenger checks this claim natively");
const limits: Limits = { maxSteps: 10n ** 7n, maxMemoryPages: 1024n, maxCallDepth: 16384n, maxValueStack: 1n << 20n, maxOutputBytes: 1n << 16n, maxTableEntries: 1n << 16n };

function trueClaim(maxSteps = 1e7) {
  const m = Machine.forTask(cm, { input, limits: { maxSteps, maxMemoryPages: 1024, maxCallDepth: 16384, maxValueStack: 1 << 20, maxOutputBytes: 1 << 16, maxTableEntries: 1 << 16 } });
  const r = m.run();
  const h = new StateCommitment(m).header();
  return { status: h.status, trapCode: h.trap, steps: String(h.steps), finalStateHash: bytesToHex(headerHash(h)), outputHash: outputHash(r.output) };
}

describe("checkClaim", () => {
  it("test_checkClaim_trueClaim_agrees", async () => {
    const c = trueClaim();
    expect(c.status).toBe(STATUS_CODE.finished);
    const v = await checkClaim(cm, input, limits, c);
    expect(v.differences).toEqual([]);
    expect(v.agree).toBe(true);
    expect(v.mine.finalStateHash).toBe(c.finalStateHash);
    expect(v.mine.engine).toBe("native");
  });

  it("test_checkClaim_eachLie_namesTheDifference", async () => {
    const c = trueClaim();
    const flip = (h: string) => (h.slice(0, -1) + (h.endsWith("0") ? "1" : "0")) as `0x${string}`;
    const cases: [string, typeof c, RegExp][] = [
      ["status", { ...c, status: STATUS_CODE.trapped }, /^status 2 claimed, 1 \(finished\) computed$/],
      ["trap", { ...c, trapCode: 4 }, /^trap code 4 claimed, 0 computed$/],
      ["steps", { ...c, steps: String(BigInt(c.steps) + 1n) }, /steps claimed, \d+ computed$/],
      ["output", { ...c, outputHash: flip(c.outputHash) }, /^output differs$/],
      ["final state", { ...c, finalStateHash: flip(c.finalStateHash) }, /^final state hash differs$/],
    ];
    for (const [label, claim, want] of cases) {
      const v = await checkClaim(cm, input, limits, claim);
      expect(v.agree, label).toBe(false);
      expect(v.differences, label).toHaveLength(1);
      expect(v.differences[0], label).toMatch(want);
    }
  });

  it("test_checkClaim_outOfSteps_inTheWorkerThread_agrees", async () => {
    const thread = new FinalStateThread();
    try {
      const c = trueClaim(1000);
      expect(c.status).toBe(STATUS_CODE.out_of_steps);
      const v = await checkClaim(cm, input, { ...limits, maxSteps: 1000n }, c, thread);
      expect(v.differences).toEqual([]);
      expect(v.mine.engine).toBe("interpreter");
      expect(v.mine.steps).toBe(1000);
    } finally {
      await thread.close();
    }
  });
});
