/**
 * ProveBatch (test-only, for the fuzzers' prover oracle) and `@vwasm/contracts/testing`'s
 * proveMany: many steps per eth_call on an untraced in-process network give, step by step, the
 * same outcome as OneStepProofEntry.proveOneStep on hardhat's network and as the TypeScript
 * verifier: the post-state of a true step, the same custom error for a tampered one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { deployProtocolContract } from "./helpers/chain";
import { loadProtocolArtifact } from "../scripts/lib/artifacts";
import { deployProverInProcess, PROVE_BATCH, PROVE_BATCH_ABI, type InProcessProver } from "./helpers/testing";
import { compileWat, proveRun, tsVerify } from "./helpers/stepper.mts";

const WAT = `(module
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (func (export "run") (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))
      (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 30))))))`;

/**
 * The custom error's name in a viem error thrown by `p.deployed.client`. By the error's shape: that
 * client comes from the CommonJS build of viem (loaded by `@vwasm/contracts/testing`), so this
 * file's viem classes do not match it with instanceof.
 */
function revertName(e: unknown): string {
  const r = (e as { walk?(f: (x: unknown) => boolean): unknown }).walk?.((x) => (x as Error).name === "ContractFunctionRevertedError");
  return (r as { data?: { errorName?: string } } | undefined)?.data?.errorName ?? `<no custom error: ${String(e).split("\n")[0]}>`;
}

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
    expect(steps.length).toBeGreaterThan(3 * PROVE_BATCH_ABI);
    const many = await p.proveMany(steps);
    expect(many).toEqual(steps.map((s) => ({ ok: true, after: s.after })));
    expect(await p.proveManyAbi(steps)).toEqual(many);
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
    expect(await p.proveManyAbi(bad)).toEqual(many);
    let rejected = 0;
    for (let i = 0; i < bad.length; i++) {
      const one = await p.proveOneStep(bad[i]!.before, bad[i]!.proof);
      expect(many[i], `step ${i}`).toEqual(one);
      expect(many[i], `step ${i}`).toEqual(tsVerify(bad[i]!.before, bad[i]!.proof));
      if (!one.ok) rejected++;
    }
    expect(rejected).toBeGreaterThanOrEqual(20);
  });

  it("test_provePacked_cutStep_revertsTruncatedSteps", async () => {
    const batch = await deployProtocolContract(p.deployed, "ProveBatch");
    const { abi } = loadProtocolArtifact("ProveBatch");
    const s = steps[0]!;
    const len = ((s.proof.length - 2) / 2).toString(16).padStart(8, "0");
    const whole = `${s.before}${len}${s.proof.slice(2)}` as Hex;
    const call = (packed: Hex) => p.deployed.client.readContract({ address: batch, abi, functionName: "provePacked", args: [p.deployed.entry, packed] });
    const out = (await call(`${whole}${whole.slice(2)}` as Hex)) as Hex;
    // two accepted steps: a 4-byte head (top bit set, length 32) and the post-state hash each
    expect(out).toBe(`0x80000020${s.after.slice(2)}80000020${s.after.slice(2)}`);
    for (const cut of [`${whole}${whole.slice(2, 2 + 2 * 35)}`, whole.slice(0, whole.length - 2), `${s.before}`]) {
      await expect(call(cut as Hex).then(() => "accepted", revertName)).resolves.toBe("TruncatedSteps");
    }
  });
});
