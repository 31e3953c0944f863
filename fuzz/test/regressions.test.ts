/**
 * Every kept failure (regressions/*.json, written by `npm run fuzz` when an oracle fails and
 * minimised by fast-check) is replayed through its oracle and must pass now.
 */
import { describe, expect, it } from "vitest";
import { Coverage } from "../src/coverage.ts";
import { oracleByName } from "../src/oracles/index.ts";
import { loadRegressions } from "../src/runner.ts";
import { REGRESSIONS_DIR } from "../src/paths.ts";

const cases = loadRegressions(REGRESSIONS_DIR);

describe("fuzz regressions", () => {
  it("test_regressions_present_andWellFormed", () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const { file, r } of cases) {
      expect(() => oracleByName(r.oracle), file).not.toThrow();
      expect(typeof r.seed, file).toBe("number");
      expect(r.message.length, file).toBeGreaterThan(0);
    }
  });

  for (const { file, r } of cases) {
    it(`test_regression_${file.split("/").pop()}_passes`, async () => {
      const o = oracleByName(r.oracle);
      await o.setup?.();
      try {
        await o.check(o.fromJSON(r.case), new Coverage());
      } finally {
        await o.teardown?.();
      }
    });
  }
});
