/**
 * Runs an oracle under fast-check with a seed (and optionally a path, to replay one shrunk
 * counterexample exactly), measures runs/s and steps/s, and turns a failure into a report with
 * everything needed to replay it and a regression case file.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Coverage } from "./coverage.ts";
import type { AnyOracle } from "./oracle.ts";

export interface RunOptions {
  runs: number;
  seed: number;
  /** fast-check's counterexample path: replays that one (shrunk) case. */
  path?: string;
  /** Where a minimised failure is written (nothing written when undefined). */
  regressionsDir?: string;
}

export interface Failure {
  seed: number;
  path: string;
  message: string;
  /** The minimised case, readable (WAT...). */
  shown: string;
  /** The regression file written, if any. */
  file?: string;
}

export interface OracleReport {
  oracle: string;
  runs: number;
  steps: number;
  ms: number;
  coverage: Coverage;
  failure?: Failure;
}

/** A kept failure: replayed by test/regressions.test.ts. */
export interface RegressionCase {
  oracle: string;
  seed: number;
  path: string;
  /** What failed when it was found. */
  message: string;
  /** What the fix was, or where the bug is recorded. */
  note?: string;
  case: unknown;
}

export async function runOracle(o: AnyOracle, opts: RunOptions): Promise<OracleReport> {
  const coverage = new Coverage();
  let steps = 0;
  await o.setup?.();
  const t0 = performance.now();
  try {
    const prop = fc.asyncProperty(o.arbitrary(), async (c) => {
      steps += await o.check(c, coverage);
    });
    const d = await fc.check(prop, { numRuns: opts.runs, seed: opts.seed, path: opts.path, endOnFailure: false });
    const report: OracleReport = { oracle: o.name, runs: d.numRuns, steps, ms: performance.now() - t0, coverage };
    if (d.failed) {
      const c = d.counterexample![0];
      const message = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
      const failure: Failure = { seed: d.seed, path: d.counterexamplePath ?? "", message, shown: await o.show(c).catch((e: Error) => `(cannot show: ${e.message})`) };
      if (opts.regressionsDir) failure.file = saveRegression(opts.regressionsDir, { oracle: o.name, seed: d.seed, path: failure.path, message, case: o.toJSON(c) });
      report.failure = failure;
    }
    return report;
  } finally {
    await o.teardown?.();
  }
}

export function saveRegression(dir: string, r: RegressionCase): string {
  mkdirSync(dir, { recursive: true });
  const id = createHash("sha256").update(JSON.stringify(r.case)).digest("hex").slice(0, 10);
  const file = join(dir, `${r.oracle}-${id}.json`);
  // one line per array of numbers (choice streams, inputs), one line per field otherwise
  const text = JSON.stringify(r, null, 1).replace(/\[\s+([-\d,\s]+?)\s+\]/g, (_m, inner: string) => `[${inner.replace(/\s+/g, "")}]`);
  writeFileSync(file, text + "\n");
  return file;
}

export function loadRegressions(dir: string): { file: string; r: RegressionCase }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  return names.map((n) => ({ file: join(dir, n), r: JSON.parse(readFileSync(join(dir, n), "utf8")) as RegressionCase }));
}

export function formatReport(r: OracleReport): string {
  const s = r.ms / 1000;
  const line = `${r.oracle}: ${r.runs} runs in ${s.toFixed(1)} s (${(r.runs / s).toFixed(1)} runs/s), ${r.steps} steps (${Math.round(r.steps / s)} steps/s)`;
  if (!r.failure) return `${line}: ok`;
  const f = r.failure;
  return [
    `${line}: FAILED`,
    `  ${f.message.split("\n").join("\n  ")}`,
    `  replay: npm run fuzz -- --oracle ${r.oracle} --seed ${f.seed} --path ${f.path} --runs 1`,
    f.file ? `  kept as ${f.file}` : "",
    `  minimal case:\n${f.shown.replace(/^/gm, "    ")}`,
  ]
    .filter((l) => l !== "")
    .join("\n");
}
