/**
 * Checking a long task's result: the native final state (src/native/final-state.ts: native run,
 * then the commitment of the final state) against interpreting the task to its end and hashing
 * the final state (what checking a claim cost before). Both give the same hash (asserted here,
 * and tested in test/native-final-state.test.ts); the ratio is printed.
 *
 *   npx tsx bench/final-state-bench.ts [--steps 100000000] [--program xorshift|sieve] [--native-only]
 *
 * --native-only skips the interpretation (for 10^9 steps, which the interpreter takes minutes for)
 * and prints the native time alone.
 */
import { readFileSync } from "node:fs";
import { compileWasm, Machine, nativeFinalState, StateCommitment } from "../src/index.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const steps = Number(arg("steps", "100000000"));
const program = arg("program", "xorshift");
const nativeOnly = args.includes("--native-only");
// Steps per unit of n, measured from a small run below.
const wasm = readFileSync(new URL(`../examples/bench/${program}.wasm`, import.meta.url));
const cm = compileWasm(new Uint8Array(wasm));
const u32 = (n: number) => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
const probe = Machine.forTask(cm, { input: u32(1000) }).run().steps;
const n = Math.max(1, Math.round((steps * 1000) / probe));
const input = u32(n);
const limits = { maxSteps: steps * 2, maxMemoryPages: 64 };

let t = performance.now();
const f = nativeFinalState(cm, { input, limits });
const nativeMs = performance.now() - t;
console.log(`${program} n=${n}: ${f.result.steps} steps, ${f.result.status}, engine ${f.engine}`);
console.log(`native check (run + final-state hash): ${nativeMs.toFixed(0)} ms (run ${f.runMs.toFixed(0)} ms, hash ${f.hashMs.toFixed(1)} ms)`);
if (!nativeOnly) {
  t = performance.now();
  const m = Machine.forTask(cm, { input, limits });
  m.run();
  const h = new StateCommitment(m).stateHash();
  const interpMs = performance.now() - t;
  if (Buffer.compare(Buffer.from(h), Buffer.from(f.stateHash)) !== 0) throw new Error("the native final state hash differs from the interpreter's");
  console.log(`interpretation (run + final-state hash): ${interpMs.toFixed(0)} ms`);
  console.log(`ratio: the native check is ${(interpMs / nativeMs).toFixed(1)}x faster (same hash 0x${Buffer.from(h).toString("hex")})`);
}
