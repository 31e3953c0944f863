/**
 * Moves of many values on chain (spec/EXECUTION.md section 5, "Moves of many values"): a branch
 * dropping N values below the kept one (br, br_if, br_table), a branch keeping N values over N
 * dropped ones, a return of N results, call and call_indirect with N params, at N = 1, K, K+1 and
 * 20,000. Every step of each invocation is proven by the TypeScript stepper and run on the
 * contract in lockstep (for N = 20,000 the steps from the N-th on, i.e. every step of the moves and
 * what follows; the N constant pushes before them are ordinary i32.const steps), and the gas of the
 * largest proofs of each shape stays under the 150,000 target. Under `npm test` the contract gets
 * onChainSample's seeded sample of the steps (test/helpers/lockstep.ts) and N = 20,000 starts at
 * the first move; `npm run test:full` (VWASM_FULL=1) sends every step from the N-th on.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ARITY_SHAPES, ARITY_SIZES, FULL_SWEEPS, arityProgram, firstMoveStep } from "@vwasm/wasm-stepper/testing";
import { deployOnHardhat, estimateProveGas, type Deployed } from "./helpers/chain";
import { replayOnChain } from "./helpers/lockstep";
import { compileWat, proveInvocation, type StepCase } from "./helpers/stepper.mts";

const MAX_GAS = 150_000n;

let d: Deployed;
beforeAll(async () => {
  d = await deployOnHardhat();
});

/** The `count` cases with the longest proofs (the costliest steps), among the non-terminal ones. */
function largest(cases: StepCase[], count: number): StepCase[] {
  return cases
    .filter((c) => !c.op.startsWith("terminal:"))
    .sort((a, b) => b.proof.length - a.proof.length)
    .slice(0, count);
}

for (const shape of ARITY_SHAPES) {
  describe(shape, () => {
    for (const n of ARITY_SIZES) {
      it(`N = ${n}: every step in lockstep on chain, the largest steps under ${MAX_GAS} gas`, async () => {
        const p = arityProgram(shape, n);
        const cm = await compileWat(p.wat, `${shape}-${n}.wat`);
        for (const c of p.calls) {
          // N = 20,000: from the N-th step on (test:full), from the first move on (npm test).
          const from = n > 1000 ? (FULL_SWEEPS ? n : firstMoveStep(c.name, n)) : 0;
          const cases = proveInvocation(cm, c.name, from);
          expect(cases.at(-1)!.op).toBe("terminal:finished");
          expect(await replayOnChain(d, `${shape} N=${n} ${c.name}`, cases)).toEqual([]);
          let worst = 0n;
          for (const w of largest(cases, 3)) {
            const gas = await estimateProveGas(d, w.before, w.proof);
            if (gas > worst) worst = gas;
          }
          expect(worst, `${c.name}: gas of the costliest step`).toBeLessThan(MAX_GAS);
        }
      }, 600_000);
    }
  });
}
