/**
 * The CI budget of every oracle: a few cases each from a fixed seed (FUZZ_SEED and FUZZ_RUNS
 * override it, so a CI failure replays with the same command line). A failure prints the seed,
 * the path and the minimised case as `npm run fuzz` does.
 */
import { describe, expect, it } from "vitest";
import { ORACLES } from "../src/oracles/index.ts";
import { formatReport, runOracle } from "../src/runner.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
/** Cases per oracle: proving every step on the EVM costs far more per case than running it. */
const BUDGET: Record<string, number> = { engines: 40, reference: 12, loader: 50, prover: 4, tamper: 30, game: 8 };

describe("fuzz smoke budget", () => {
  for (const o of ORACLES) {
    it(`test_${o.name}_smokeBudget_noFailure`, async () => {
      const runs = Number(process.env.FUZZ_RUNS ?? BUDGET[o.name] ?? 10);
      const r = await runOracle(o, { runs, seed: SEED });
      expect(r.failure, formatReport(r)).toBeUndefined();
      expect(r.runs).toBe(runs);
      if (o.name !== "loader") expect(r.steps).toBeGreaterThan(0);
      else expect(r.coverage.outcomes.size).toBeGreaterThan(1);
    });
  }
});
