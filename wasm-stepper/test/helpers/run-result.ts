import type { RunResult } from "../../src/types.ts";

/** A comparable form of a RunResult (values and output as strings). */
export function norm(r: RunResult) {
  return {
    status: r.status,
    trap: r.trap,
    steps: r.steps,
    results: r.results.map((v) => `${v.type}:${String(v.value)}`),
    output: Buffer.from(r.output).toString("hex"),
  };
}
