/**
 * Runs the same module on the stepper's Machine and on the V8 reference side
 * by side, and collects every disagreement (with each other and with a hard
 * expectation) as a readable line, so one test reports all its mismatches.
 */
import { expect } from "vitest";
import { loadModule, Machine } from "../../src/index.ts";
import type { Limits, RunResult, Value } from "../../src/types.ts";
import { V8Machine, runV8Task, type RefResult } from "./v8.ts";
import { wat } from "./wat.ts";
import { diffExpect, diffRuns, fmtExpect, fmtResult, fmtValues, type Expectation } from "./compare.ts";

export interface PairOptions {
  input?: Uint8Array;
  limits?: Partial<Limits>;
}

export interface CheckOptions {
  /** Compare with V8 (default true). V8 is still invoked, to keep both instances in step. */
  v8?: boolean;
  /** Also hold V8 to the hard expectation (default: same as `v8`). */
  v8Expect?: boolean;
}

export class Pair {
  readonly problems: string[] = [];

  private constructor(
    readonly label: string,
    readonly bytes: Uint8Array,
    readonly machine: Machine,
    readonly v8: V8Machine,
  ) {}

  /** Compiles WAT (with wabt) or takes Wasm bytes, instantiates both engines. */
  static async create(label: string, src: string | Uint8Array, opts: PairOptions = {}): Promise<Pair> {
    const bytes = typeof src === "string" ? await wat(src, `${label}.wat`) : src;
    const cm = await loadModule(bytes);
    return new Pair(label, bytes, Machine.instantiate(cm, opts), V8Machine.instantiate(bytes, opts));
  }

  /** Invokes `name(args)` on both engines; records mismatches. Returns the machine's result. */
  check(name: string, args: Value[] = [], exp?: Expectation, opts: CheckOptions = {}): RunResult {
    const withV8 = opts.v8 ?? true;
    const v8Expect = opts.v8Expect ?? withV8;
    const call = `${this.label}: ${name}${fmtValues(args).replace(/^\[/, "(").replace(/\]$/, ")")}`;
    let m: RunResult;
    try {
      m = this.machine.invoke(name, args);
    } catch (err) {
      this.problems.push(`${call}: machine threw ${String(err)}`);
      this.v8.invoke(name, args);
      return { status: "trapped", results: [], output: new Uint8Array(0), steps: 0 };
    }
    const v = this.v8.invoke(name, args);
    const lines: string[] = [];
    if (withV8) {
      const d = diffRuns(m, v);
      if (d) lines.push(`machine vs V8: ${d}`);
    }
    if (exp) {
      const d = diffExpect(m, exp);
      if (d) lines.push(`machine vs spec: ${d}`);
      if (v8Expect) {
        const dv = diffExpect({ ...v, steps: m.steps }, { ...exp, steps: undefined });
        if (dv) lines.push(`V8 vs spec: ${dv} (check the test's expectation)`);
      }
    }
    if (lines.length) {
      this.problems.push(
        `${call}: ${lines.join("; ")} | machine=${fmtResult(m)} v8=${fmtResult(v)}${exp ? ` expected=${fmtExpect(exp)}` : ""}`,
      );
    }
    return m;
  }

  /** Fails the current test with every recorded problem. */
  assertClean(): void {
    expect(this.problems, this.problems.join("\n")).toEqual([]);
  }
}

/** Task form on both engines: start + run. Returns [machine, v8] results. */
export async function taskPair(src: string | Uint8Array, opts: PairOptions = {}): Promise<[RunResult, RefResult]> {
  const bytes = typeof src === "string" ? await wat(src) : src;
  const cm = await loadModule(bytes);
  return [Machine.forTask(cm, opts).run(), runV8Task(bytes, opts)];
}
