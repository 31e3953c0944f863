/**
 * ProveBatch (test-only, for the fuzzers' prover oracle) and `@vwasm/contracts/testing`'s
 * proveMany: many steps per eth_call on an untraced in-process network give, step by step, the
 * same outcome as OneStepProofEntry.proveOneStep on hardhat's network and as the TypeScript
 * verifier: the post-state of a true step, the same custom error for a tampered one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { deployProverInProcess, PROVE_BATCH, type InProcessProver } from "./helpers/testing";
import { compileWat, proveRun, tsVerify } from "./helpers/stepper.mts";

const WAT = `(module
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (func (export "run") (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))
      (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 30))))))`;

let p: InProcessProver;
let steps: { before: Hex; proof: Hex; after: Hex }[];

beforeAll(async () => {
  p = await deployProverInProcess();
  const cm = await compileWat(WAT);
  steps = proveRun(cm, { label: "loop", calls: [{ name: "run", args: [] }] });
});

describe("ProveBatch", () => {
  it("test_proveMany_trueSteps_sameAfterAsProveOneStep", async () => {
    expect(steps.length).toBeGreaterThan(3 * PROVE_BATCH); // several batches
    const many = await p.proveMany(steps);
    expect(many).toEqual(steps.map((s) => ({ ok: true, after: s.after })));
    for (const s of steps.slice(0, 20)) expect(await p.proveOneStep(s.before, s.proof)).toEqual({ ok: true, after: s.after });
  });

  it("test_proveMany_tamperedSteps_sameErrorAsProveOneStepAndVerifier", async () => {
    const bad = steps.slice(0, 40).map((s, i) => {
      if (i % 4 === 0) return { before: steps[(i + 7) % steps.length]!.before, proof: s.proof }; // swapped pre-state
      if (i % 4 === 1) return { before: s.before, proof: s.proof.slice(0, s.proof.length - 64) as Hex }; // truncated
      if (i % 4 === 2) return { before: s.before, proof: `${s.proof}00` as Hex }; // extended
      return { before: s.before, proof: s.proof }; // true
    });
    const many = await p.proveMany(bad);
    let rejected = 0;
    for (let i = 0; i < bad.length; i++) {
      const one = await p.proveOneStep(bad[i]!.before, bad[i]!.proof);
      expect(many[i], `step ${i}`).toEqual(one);
      expect(many[i], `step ${i}`).toEqual(tsVerify(bad[i]!.before, bad[i]!.proof));
      if (!one.ok) rejected++;
    }
    expect(rejected).toBeGreaterThanOrEqual(20);
  });
});
