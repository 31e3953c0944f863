/**
 * Lockstep on chain: the proven steps of a run go through the deployed OneStepProofEntry with
 * eth_call, and the contract's post-state hash must equal the TypeScript stepper's, byte for byte
 * (the Cannon harness's "produced different state than EVM" check). `npm run test:full`
 * (VWASM_FULL=1) sends every step; `npm test` sends a seeded sample that keeps the first and the
 * last steps and the first step of each kind (mnemonic, status after, trap), see onChainSample.
 */
import { FULL_SWEEPS, seedOf } from "@vwasm/wasm-stepper/testing";
import type { Deployed } from "./chain";
import { proveOneStep } from "./chain";
import type { StepCase } from "./stepper.mts";

/** Concurrent eth_calls in flight (the in-process node gains a little from 4-8). */
const BATCH = 6;

export interface Coverage {
  /** Steps proven by the stepper and chained (all of them sent on chain under VWASM_FULL=1). */
  steps: number;
  /** Steps sent on chain. */
  onChain: number;
  ops: Set<string>;
  traps: Set<string>;
  statuses: Set<string>;
}

export function newCoverage(): Coverage {
  return { steps: 0, onChain: 0, ops: new Set(), traps: new Set(), statuses: new Set() };
}

/** One in SAMPLE_EVERY of the steps not always kept goes on chain under `npm test`. */
export const SAMPLE_EVERY = 8;

/**
 * The cases sent on chain: all under VWASM_FULL=1 (or `full`), else the first two, the last two,
 * the first of each kind (mnemonic, status after, trap) and one in SAMPLE_EVERY of the others,
 * drawn by a PRNG seeded from `label`.
 */
export function onChainSample(label: string, cases: StepCase[], full = false): StepCase[] {
  if (FULL_SWEEPS || full) return cases;
  const kind = (c: StepCase) => `${c.op} ${c.statusAfter} ${c.trap ?? ""}`;
  const seen = new Set<string>();
  let x = seedOf(label) || 1;
  return cases.filter((c, i) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const k = kind(c);
    const first = !seen.has(k);
    seen.add(k);
    return first || i < 2 || i >= cases.length - 2 || x % SAMPLE_EVERY === 0;
  });
}

/**
 * Replays `cases` on chain (all of them when `full` or under VWASM_FULL=1, else onChainSample);
 * returns a description of every step whose contract result differs from the stepper's `after`
 * (empty when in lockstep). Also checks that all the steps chain (each before is the previous
 * after) and records coverage.
 */
export async function replayOnChain(d: Deployed, label: string, all: StepCase[], cov?: Coverage, full = false): Promise<string[]> {
  const cases = onChainSample(label, all, full);
  const problems: string[] = [];
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1]!;
    const c = all[i]!;
    if (c.step === prev.step + 1 && c.before !== prev.after) problems.push(`${label} step ${c.step}: before is not the previous step's after`);
  }
  for (let i = 0; i < cases.length; i += BATCH) {
    const batch = cases.slice(i, i + BATCH);
    const results = await Promise.all(batch.map((c) => proveOneStep(d, c.before, c.proof)));
    results.forEach((r, k) => {
      const c = batch[k]!;
      if (!r.ok) problems.push(`${label} step ${c.step} (${c.op}): the contract rejected the stepper's proof with ${r.error}`);
      else if (r.after !== c.after) problems.push(`${label} step ${c.step} (${c.op}): contract after ${r.after} != stepper after ${c.after}`);
    });
  }
  if (cov) {
    cov.onChain += cases.length;
    for (const c of all) {
      cov.steps++;
      if (!c.op.startsWith("terminal:")) cov.ops.add(c.op);
      cov.statuses.add(c.statusAfter);
      if (c.trap) cov.traps.add(c.trap);
    }
  }
  return problems;
}
