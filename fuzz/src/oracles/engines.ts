/**
 * Engines: the interpreter (stepped one instruction at a time), the native engine (fast and
 * precise variants) and plain V8 run the same generated task; they must agree on status,
 * results, output, trap code and (stepper engines) step count. V8 counts no steps and models no
 * step, call-depth or value-stack limit, so it is compared only on runs that ended without
 * reaching one; V8 reports a null entry and a signature mismatch alike (a set of codes).
 */
import { Machine, runNativeTask, StepperError, type RunResult } from "@vwasm/wasm-stepper";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { stepRecording, type Coverage } from "../coverage.ts";
import { buildTask, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type TaskSeed } from "../gen/cases.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";

function fmt(r: RunResult): string {
  const res = r.results.map((v) => `${v.type}:${v.value}`).join(",");
  return `${r.status}${r.trap ? `:${r.trap}` : ""} steps=${r.steps} results=[${res}] output=${Buffer.from(r.output).toString("hex")}`;
}

function same(a: RunResult, b: RunResult, steps: boolean): boolean {
  return (
    a.status === b.status &&
    a.trap === b.trap &&
    (!steps || a.steps === b.steps) &&
    a.results.length === b.results.length &&
    a.results.every((v, i) => v.type === b.results[i]!.type && BigInt(v.value) === BigInt(b.results[i]!.value)) &&
    Buffer.from(a.output).equals(Buffer.from(b.output))
  );
}

/** The typed error (class name and kind) an engine threw, or the thrown value when untyped. */
export function errorOutcome(e: unknown): string {
  if (e instanceof StepperError) return `${e.name}(${e.kind}): ${e.shortMessage}`;
  throw e;
}

const V8_BLIND = new Set(["call_stack_exhausted", "value_stack_exhausted"]);

export const enginesOracle: Oracle<TaskSeed> = {
  name: "engines",
  description: "interpreter vs native engine (fast, precise) vs plain V8: status, results, output, trap, steps",
  arbitrary: () => taskSeedArb(),
  async check(s, cov) {
    const t = await buildTask(s);
    const opts = { input: t.input, limits: t.limits };
    let m: Machine;
    try {
      m = Machine.forTask(t.cm, opts);
    } catch (e) {
      // refused at instantiation: the native engine must refuse the same way
      const want = errorOutcome(e);
      let got = "instantiated";
      try {
        runNativeTask(t.cm, opts);
      } catch (e2) {
        got = errorOutcome(e2);
      }
      if (got !== want) throw new OracleFailure("engines", `interpreter: ${want}; native: ${got}`);
      cov.outcome(`refused: ${want.split(":")[0]!}`);
      if (e instanceof StepperError) cov.refused(e);
      return 0;
    }
    const r = stepRecording(m, cov);
    const fast = runNativeTask(t.cm, opts);
    if (!same(r, fast, true)) throw new OracleFailure("engines", `interpreter ${fmt(r)}\n  native (fast) ${fmt(fast)}`);
    const precise = runNativeTask(t.cm, { ...opts, precise: true });
    if (!same(r, precise, true)) throw new OracleFailure("engines", `interpreter ${fmt(r)}\n  native (precise) ${fmt(precise)}`);
    if (r.status !== "out_of_steps" && !V8_BLIND.has(r.trap ?? "")) {
      const v = runV8Task(t.bytes, opts);
      const trapOk = v.trapSet ? r.trap !== undefined && v.trapSet.includes(r.trap) : v.trap === r.trap;
      if (!trapOk || !same({ ...v, trap: r.trap }, r, false)) throw new OracleFailure("engines", `interpreter ${fmt(r)}\n  V8 ${fmt(v)}${v.trapSet ? ` (any of ${v.trapSet.join(", ")})` : ""}`);
    }
    return r.steps;
  },
  show: async (s) => showTask(s),
  toJSON: (s) => taskSeedToJSON(s),
  fromJSON: taskSeedFromJSON,
};
