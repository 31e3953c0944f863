/**
 * The runner's promises to an auditor: a failure is minimised, reported with its seed and path,
 * kept as a regression file, and the printed seed and path replay exactly that case.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { OracleFailure, type Oracle } from "../src/oracle.ts";
import { formatReport, loadRegressions, runOracle } from "../src/runner.ts";

/** A toy oracle that fails on numbers above 1000 (and records what it checked). */
let checked: number[] = [];
const toy: Oracle<number> = {
  name: "toy",
  description: "fails above 1000",
  arbitrary: () => fc.nat({ max: 1_000_000 }),
  async check(n) {
    checked.push(n);
    if (n > 1000) throw new OracleFailure("toy", `${n} is above 1000`);
    return n;
  },
  show: async (n) => `the number ${n}`,
  toJSON: (n) => n,
  fromJSON: (j) => Number(j),
};

const dir = mkdtempSync(join(tmpdir(), "fuzz-runner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runner", () => {
  it("test_runOracle_failure_minimisedReportedKeptAndReplayable", async () => {
    const r = await runOracle(toy, { runs: 200, seed: 7, regressionsDir: dir });
    expect(r.failure).toBeDefined();
    const f = r.failure!;
    expect(f.shown).toBe("the number 1001");
    expect(f.message).toBe("[toy] 1001 is above 1000");
    const text = formatReport(r);
    expect(text).toContain(`--oracle toy --seed ${f.seed} --path ${f.path} --runs 1`);
    expect(text).toContain("FAILED");
    const kept = loadRegressions(dir);
    expect(kept.map((k) => k.r)).toEqual([{ oracle: "toy", seed: 7, path: f.path, message: f.message, case: 1001 }]);

    // the printed seed and path replay that one minimised case first (then fast-check tries to
    // shrink it further, and cannot)
    checked = [];
    const replay = await runOracle(toy, { runs: 1, seed: f.seed, path: f.path });
    expect(checked[0]).toBe(1001);
    expect(replay.failure?.shown).toBe("the number 1001");
  });

  it("test_runOracle_pass_countsRunsAndSteps", async () => {
    const small: Oracle<number> = { ...toy, arbitrary: () => fc.nat({ max: 1000 }) };
    const r = await runOracle(small, { runs: 50, seed: 3 });
    expect(r.failure).toBeUndefined();
    expect(r.runs).toBe(50);
    expect(r.steps).toBeGreaterThan(0);
    expect(formatReport(r)).toMatch(/^toy: 50 runs in [\d.]+ s \([\d.]+ runs\/s\), \d+ steps \(\d+ steps\/s\): ok$/);
  });
});
