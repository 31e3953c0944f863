/**
 * `npm run bench:prover -w fuzz`: the prover oracle's costs per proven step, in one run on the
 * same steps (proofs of generated tasks). The TypeScript side: Prover.proveNext and the TypeScript
 * verifier. The on-chain side: one eth_call of proveOneStep per step on hardhat's in-process
 * network (the oracle's first way) against proveManyAbi (PROVE_BATCH_ABI steps per eth_call
 * through ProveBatch.proveMany and viem's ABI coder, the second way) against proveMany
 * (PROVE_BATCH steps per eth_call through ProveBatch.provePacked, call data and answer packed by
 * hand, straight to EDR's provider: the oracle's way now). Then the EVM's ceiling: the same batches
 * of steps whose proof is empty (the entry reverts at once), which costs everything but the proof's
 * execution. Last, the oracle's whole loop (proveEveryStep) on whole tasks, pipelined against
 * settling each batch before proving the next. Prints ms per step, steps per second, the ratios
 * and the load average.
 */
import { loadavg } from "node:os";
import { deployProverInProcess, PROVE_BATCH, PROVE_BATCH_ABI } from "@vwasm/contracts/testing";
import { Prover, type StepProof } from "@vwasm/wasm-stepper";
import type { Hex } from "viem";
import { buildTask, instantiateTask } from "../src/gen/cases.ts";
import { hex } from "../src/oracles/bytes.ts";
import { tsVerify } from "../src/oracles/chain.ts";
import { PROVER_SHAPE, proveEveryStep } from "../src/oracles/prover.ts";

const N = Number(process.env.BENCH_STEPS ?? 1024);
const p = await deployProverInProcess();
/** The task of a seed (a fixed stream of `length` choices). */
const taskOf = (seed: number, shape?: typeof PROVER_SHAPE, length = 300) => {
  let x = seed * 7919;
  const choices = Array.from({ length }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff);
  return buildTask({ choices, input: [1, 2, 3] }, shape);
};
const proofs: StepProof[] = [];
const provenTasks: Awaited<ReturnType<typeof taskOf>>[] = [];
let proving = 0;
for (let seed = 1; proofs.length < N; seed++) {
  const t = await taskOf(seed);
  const m = instantiateTask(t);
  if (!m) continue;
  provenTasks.push(t);
  const pr = new Prover(m);
  const t0 = performance.now();
  for (let i = 0; i < 200 && m.status === "running" && proofs.length < N; i++) proofs.push(pr.proveNext());
  proving += performance.now() - t0;
}
// The same steps again, warm (compiled code, module commitments cached): a fresh machine each.
let provingWarm = 0;
for (let k = 0, n = 0; k < provenTasks.length; k++) {
  const m = instantiateTask(provenTasks[k]!)!;
  const pr = new Prover(m);
  const t0 = performance.now();
  for (let i = 0; i < 200 && m.status === "running" && n < N; i++, n++) pr.proveNext();
  provingWarm += performance.now() - t0;
}
const steps: { before: Hex; proof: Hex; after: Hex }[] = proofs.map((s) => ({ before: hex(s.before), proof: hex(s.proof), after: hex(s.after) }));

/** ms per step of `f` over all the steps: the best of `rounds` runs (the machine is shared and loaded). */
async function time(f: () => unknown, rounds = 2): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await f();
    best = Math.min(best, (performance.now() - t0) / steps.length);
  }
  return best;
}
const line = (what: string, ms: number) => console.log(`${what}: ${ms.toFixed(3)} ms/step (${Math.round(1000 / ms)} steps/s)`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

console.log(`${steps.length} steps, proofs of ${Math.round(steps.reduce((a, s) => a + s.proof.length / 2 - 1, 0) / steps.length)} bytes on average; load average ${load()}`);
line("TypeScript: Prover.proveNext, first pass (a new process: code not yet optimised)", proving / steps.length);
line("TypeScript: Prover.proveNext, the same steps again (warm)", provingWarm / steps.length);
line("TypeScript: verifier (tsVerify)", await time(() => steps.forEach((s) => {
  const r = tsVerify(s.before, s.proof);
  if (!r.ok || r.after !== s.after) throw new Error("the TypeScript verifier disagrees with the prover");
})));
// warm-up: the first calls on each network are slower (measured: 2-5x on the first pass)
await p.proveMany(steps.slice(0, 256));
await p.proveManyAbi(steps.slice(0, 256));
for (const s of steps.slice(0, 64)) await p.proveOneStep(s.before, s.proof);
const single = await time(async () => {
  for (const s of steps) {
    const r = await p.proveOneStep(s.before, s.proof);
    if (!r.ok || r.after !== s.after) throw new Error("proveOneStep disagrees with the stepper");
  }
}, 1);
const check = (name: string) => (r: Awaited<ReturnType<typeof p.proveMany>>) =>
  r.forEach((o, i) => {
    if (!o.ok || o.after !== steps[i]!.after) throw new Error(`${name} disagrees with the stepper at step ${i}`);
  });
// the two batched ways alternate, best of three rounds each (the shared machine's load varies within a run)
let abi = Infinity;
let packed = Infinity;
for (let r = 0; r < 3; r++) {
  abi = Math.min(abi, await time(async () => check("proveManyAbi")(await p.proveManyAbi(steps)), 1));
  packed = Math.min(packed, await time(async () => check("proveMany")(await p.proveMany(steps)), 1));
}
line("EVM: proveOneStep, one eth_call per step (hardhat's network)", single);
line(`EVM: proveManyAbi, ${PROVE_BATCH_ABI} steps per eth_call, viem ABI coder (untraced network)`, abi);
line(`EVM: proveMany, ${PROVE_BATCH} steps per eth_call, packed by hand, straight to EDR (untraced network)`, packed);
console.log(`ratios: proveOneStep / proveMany ${(single / packed).toFixed(2)}x, proveManyAbi / proveMany ${(abi / packed).toFixed(2)}x`);
const empty = steps.map((s) => ({ before: s.before, proof: "0x" as Hex }));
const trivial = await time(async () => {
  for (const o of await p.proveMany(empty)) if (o.ok) throw new Error("an empty proof was accepted");
});
line(`EVM ceiling: proveMany of steps with an empty proof (the entry reverts at once)`, trivial);
console.log(`so the proofs' execution costs ${(packed - trivial).toFixed(3)} ms/step; load average ${load()}`);

// The oracle's whole loop on whole tasks (proveEveryStep: prove, the TypeScript verifier and
// proveMany), pipelined (the JS thread proves and verifies while EDR runs the previous batch)
// against settling each batch before proving the next (the former way), alternating, best of 3.
const tasks: Awaited<ReturnType<typeof taskOf>>[] = [];
for (let seed = 1, n = 0; n < N; seed++) {
  const t = await taskOf(seed, PROVER_SHAPE, 2000); // the oracle's streams are up to 2000 choices
  const m = instantiateTask(t);
  if (!m) continue;
  tasks.push(t);
  n += await proveEveryStep(m, p); // warm-up, and the step count
}
const whole = async (overlap: boolean) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  for (const t of tasks) n += await proveEveryStep(instantiateTask(t)!, p, undefined, { overlap });
  const c = process.cpuUsage(c0);
  return { ms: (performance.now() - t0) / n, cpu: (c.user + c.system) / 1000 / n, n };
};
let piped = { ms: Infinity, cpu: 0, n: 0 };
let serial = { ms: Infinity, cpu: 0, n: 0 };
for (let r = 0; r < 3; r++) {
  const a = await whole(false);
  if (a.ms < serial.ms) serial = a;
  const b = await whole(true);
  if (b.ms < piped.ms) piped = b;
}
console.log(`the oracle's loop on ${tasks.length} whole tasks (${piped.n} steps): prove, verify, proveMany ${PROVE_BATCH} steps per eth_call`);
line(`  settling each batch before proving the next (the former way; process CPU ${serial.cpu.toFixed(3)} ms/step)`, serial.ms);
line(`  pipelined: proving and verifying while EDR runs the previous batch (process CPU ${piped.cpu.toFixed(3)} ms/step)`, piped.ms);
console.log(`ratio former / pipelined ${(serial.ms / piped.ms).toFixed(2)}x; load average ${load()}`);
process.exit(0);
