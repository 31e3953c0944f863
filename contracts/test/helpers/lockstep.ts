/**
 * Lockstep on chain: every proven step of a run goes through the deployed OneStepProofEntry with
 * eth_call, and the contract's post-state hash must equal the TypeScript stepper's, byte for byte
 * (the Cannon harness's "produced different state than EVM" check).
 */
import type { Deployed } from "./chain";
import { proveOneStep } from "./chain";
import type { StepCase } from "./stepper.mts";

/** Concurrent eth_calls in flight (the in-process node gains a little from 4-8). */
const BATCH = 6;

export interface Coverage {
  steps: number;
  ops: Set<string>;
  traps: Set<string>;
  statuses: Set<string>;
}

export function newCoverage(): Coverage {
  return { steps: 0, ops: new Set(), traps: new Set(), statuses: new Set() };
}

/**
 * Replays `cases` on chain; returns a description of every step whose contract result differs
 * from the stepper's `after` (empty when in lockstep). Also checks that the steps chain
 * (each before is the previous after) and records coverage.
 */
export async function replayOnChain(d: Deployed, label: string, cases: StepCase[], cov?: Coverage): Promise<string[]> {
  const problems: string[] = [];
  for (let i = 1; i < cases.length; i++) {
    const prev = cases[i - 1]!;
    const c = cases[i]!;
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
    for (const c of cases) {
      cov.steps++;
      if (!c.op.startsWith("terminal:")) cov.ops.add(c.op);
      cov.statuses.add(c.statusAfter);
      if (c.trap) cov.traps.add(c.trap);
    }
  }
  return problems;
}
