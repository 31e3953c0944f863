/**
 * `npm run bench:prover -w fuzz`: the on-chain side of the prover oracle, per proven step, in one
 * run on the same steps (proofs of generated tasks): one eth_call of proveOneStep per step on
 * hardhat's in-process network (the oracle's way before) against proveMany (PROVE_BATCH steps per
 * eth_call through ProveBatch, on the untraced in-process network). Prints ms per step and the ratio.
 */
import { deployProverInProcess, PROVE_BATCH } from "@vwasm/contracts/testing";
import { Prover } from "@vwasm/wasm-stepper";
import type { Hex } from "viem";
import { buildTask, instantiateTask } from "../src/gen/cases.ts";
import { hex } from "../src/oracles/bytes.ts";

const N = Number(process.env.BENCH_STEPS ?? 1000);
const p = await deployProverInProcess();
const steps: { before: Hex; proof: Hex; after: Hex }[] = [];
for (let seed = 1; steps.length < N; seed++) {
  let x = seed * 7919;
  const choices = Array.from({ length: 300 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff);
  const m = instantiateTask(await buildTask({ choices, input: [1, 2, 3] }));
  if (!m) continue;
  const pr = new Prover(m);
  for (let i = 0; i < 200 && m.status === "running" && steps.length < N; i++) {
    const s = pr.proveNext();
    steps.push({ before: hex(s.before), proof: hex(s.proof), after: hex(s.after) });
  }
}

async function time(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / steps.length;
}
const single = await time(async () => {
  for (const s of steps) {
    const r = await p.proveOneStep(s.before, s.proof);
    if (!r.ok || r.after !== s.after) throw new Error("proveOneStep disagrees with the stepper");
  }
});
const batched = await time(async () => {
  const r = await p.proveMany(steps);
  r.forEach((o, i) => {
    if (!o.ok || o.after !== steps[i]!.after) throw new Error("proveMany disagrees with the stepper");
  });
});
console.log(`${steps.length} steps`);
console.log(`proveOneStep, one eth_call per step (hardhat's network): ${single.toFixed(3)} ms/step (${Math.round(1000 / single)} steps/s)`);
console.log(`proveMany, ${PROVE_BATCH} steps per eth_call (untraced network): ${batched.toFixed(3)} ms/step (${Math.round(1000 / batched)} steps/s)`);
console.log(`ratio: ${(single / batched).toFixed(2)}x`);
process.exit(0);
