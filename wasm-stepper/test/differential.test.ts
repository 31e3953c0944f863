/**
 * Differential tests over the corpus of real programs (test/corpus/corpus.ts):
 * the stepper's Machine against V8 (test/helpers/v8.ts) — same status, trap,
 * results and output — and both against an independent JS oracle where the
 * corpus has one. When the native engine (src/native/index.ts) is present,
 * its step counts and results are compared with the interpreter's as well.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadModule, Machine, type CompiledModule } from "../src/index.ts";
import type { Limits, RunResult, Value } from "../src/types.ts";
import { V8Machine, runV8Task } from "./helpers/v8.ts";
import { wat } from "./helpers/wat.ts";
import { checkSubset } from "./helpers/subset.ts";
import { diffExpect, diffRuns, fmtExpect, fmtResult, fmtValues, sameBytes, sameValues, type Expectation } from "./helpers/compare.ts";
import { CORPUS, PKG_ROOT, corpusBytes, type CorpusProgram, type TaskCase } from "./corpus/corpus.ts";

function taskExpectation(t: TaskCase): Expectation | undefined {
  if (t.trap) return { status: "trapped", trap: t.trap, ...(t.output ? { output: t.output } : {}) };
  if (t.output) return { status: "finished", output: t.output };
  return undefined;
}

describe("corpus integrity", () => {
  it("every corpus module is in the subset (no f32/f64, only task imports)", async () => {
    const problems: string[] = [];
    for (const p of CORPUS) {
      const issues = await checkSubset(await corpusBytes(p));
      if (issues.length) problems.push(`${p.name}: ${issues.join("; ")}`);
    }
    expect(problems).toEqual([]);
  });

  it("committed .wasm of WAT sources match their source (run scripts/build-corpus.ts)", async () => {
    const stale: string[] = [];
    for (const p of CORPUS) {
      if (!p.wasm || !p.source.endsWith(".wat")) continue;
      const fresh = await wat(readFileSync(join(PKG_ROOT, p.source), "utf8"), join(PKG_ROOT, p.source));
      if (!sameBytes(fresh, new Uint8Array(readFileSync(join(PKG_ROOT, p.wasm))))) stale.push(p.wasm);
    }
    expect(stale).toEqual([]);
  });

  it("every AssemblyScript source has its committed .wasm", () => {
    const missing = CORPUS.filter((p) => p.source.endsWith(".ts") && (!p.wasm || !existsSync(join(PKG_ROOT, p.wasm))));
    expect(missing.map((p) => p.name)).toEqual([]);
  });
});

function describeProgram(prog: CorpusProgram): void {
  describe(prog.name, () => {
    let bytes: Uint8Array;
    let cm: CompiledModule | undefined;
    let loadError: unknown;
    beforeAll(async () => {
      bytes = await corpusBytes(prog);
      try {
        cm = await loadModule(bytes);
      } catch (err) {
        loadError = err;
      }
    });
    const compiled = (): CompiledModule => {
      if (!cm) throw new Error(`${prog.name}: the machine cannot load the module: ${String(loadError)}`);
      return cm;
    };

    for (const t of prog.tasks) {
      it(`task: ${t.label}`, () => {
        const opts = { input: t.input, ...(t.limits ? { limits: t.limits } : {}) };
        const v = runV8Task(bytes, opts);
        const exp = taskExpectation(t);
        // The oracle must hold on V8 first: otherwise the test itself is wrong.
        if (exp) expect(diffExpect(v, exp), `V8 vs oracle: v8=${fmtResult(v)} expected=${fmtExpect(exp)}`).toBeUndefined();
        const m = Machine.forTask(compiled(), opts).run();
        const problems: string[] = [];
        const d = diffRuns(m, v);
        if (d) problems.push(`machine vs V8: ${d}`);
        if (exp) {
          const de = diffExpect(m, exp);
          if (de) problems.push(`machine vs oracle: ${de}`);
        }
        expect(problems, `${prog.name} task ${t.label}: ${problems.join("; ")} | machine=${fmtResult(m)} (steps ${m.steps}) v8=${fmtResult(v)}`).toEqual([]);
      });
    }

    if (prog.calls.length) {
      it(`exports: ${[...new Set(prog.calls.map((c) => c.name))].join(", ")}`, () => {
        const v8 = V8Machine.instantiate(bytes);
        const m = Machine.instantiate(compiled());
        const problems: string[] = [];
        for (const c of prog.calls) {
          const rv = v8.invoke(c.name, c.args);
          const rm = m.invoke(c.name, c.args);
          const exp: Expectation | undefined = c.trap
            ? { status: "trapped", trap: c.trap }
            : c.results
              ? { status: "finished", results: c.results }
              : undefined;
          const lines: string[] = [];
          const d = diffRuns(rm, rv);
          if (d) lines.push(`machine vs V8: ${d}`);
          if (exp) {
            const dm = diffExpect(rm, exp);
            if (dm) lines.push(`machine vs oracle: ${dm}`);
            const dv = diffExpect(rv, exp);
            if (dv) lines.push(`V8 vs oracle: ${dv} (check the corpus oracle)`);
          }
          if (lines.length) {
            problems.push(
              `${prog.name}.${c.name}${fmtValues(c.args)}: ${lines.join("; ")} | machine=${fmtResult(rm)} v8=${fmtResult(rv)}${exp ? ` expected=${fmtExpect(exp)}` : ""}`,
            );
          }
        }
        expect(problems, problems.join("\n")).toEqual([]);
      });
    }
  });
}

describe("corpus: machine vs V8", () => {
  for (const prog of CORPUS) describeProgram(prog);
});

// ---------------------------------------------------------------------------
// Interpreter vs native engine (step counts), when the native engine exists.

interface NativeOpts {
  input?: Uint8Array;
  limits?: Partial<Limits>;
  /** Precise variant only (a check before every step). */
  precise?: boolean;
}
interface NativeApi {
  NativeInstance: {
    create(cm: CompiledModule, opts: NativeOpts): { invoke(name: string, args: Value[]): RunResult };
  };
  runNativeTask(cm: CompiledModule, opts: NativeOpts): RunResult;
}

const NATIVE_PATH = join(PKG_ROOT, "src/native/index.ts");

function diffSteps(a: RunResult, b: RunResult): string | undefined {
  const bad: string[] = [];
  if (a.status !== b.status) bad.push("status");
  if (a.trap !== b.trap) bad.push("trap");
  if (!sameValues(a.results, b.results)) bad.push("results");
  if (!sameBytes(a.output, b.output)) bad.push("output");
  if (a.steps !== b.steps) bad.push("steps");
  return bad.length ? `${bad.join("+")} differ` : undefined;
}

if (existsSync(NATIVE_PATH)) {
  describe("corpus: interpreter vs native engine (steps, results, output)", () => {
    let native: NativeApi;
    beforeAll(async () => {
      native = (await import(pathToFileURL(NATIVE_PATH).href)) as NativeApi;
    });
    for (const prog of CORPUS) {
      for (const precise of [false, true]) {
        it(`${prog.name}${precise ? " (precise variant)" : ""}`, async () => {
          const cm = await loadModule(await corpusBytes(prog));
          const problems: string[] = [];
          for (const t of prog.tasks) {
            const opts = { input: t.input, ...(t.limits ? { limits: t.limits } : {}) };
            const m = Machine.forTask(cm, opts).run();
            const n = native.runNativeTask(cm, { ...opts, precise });
            const d = diffSteps(m, n);
            if (d) problems.push(`task ${t.label}: ${d} | interp=${fmtResult(m)} steps=${m.steps} native=${fmtResult(n)} steps=${n.steps}`);
            // A step budget that ends the run early must stop both at the same point.
            if (m.steps > 2) {
              const limits = { ...t.limits, maxSteps: Math.floor(m.steps / 2) };
              const m2 = Machine.forTask(cm, { input: t.input, limits }).run();
              const n2 = native.runNativeTask(cm, { input: t.input, limits, precise });
              const d2 = diffSteps(m2, n2);
              if (d2) {
                problems.push(
                  `task ${t.label} maxSteps=${limits.maxSteps}: ${d2} | interp=${fmtResult(m2)} steps=${m2.steps} native=${fmtResult(n2)} steps=${n2.steps}`,
                );
              }
            }
          }
          if (prog.calls.length) {
            const mi = Machine.instantiate(cm);
            const ni = native.NativeInstance.create(cm, { precise });
            for (const c of prog.calls) {
              const m = mi.invoke(c.name, c.args);
              const n = ni.invoke(c.name, c.args);
              const d = diffSteps(m, n);
              if (d) problems.push(`${c.name}${fmtValues(c.args)}: ${d} | interp=${fmtResult(m)} steps=${m.steps} native=${fmtResult(n)} steps=${n.steps}`);
            }
          }
          expect(problems, problems.join("\n")).toEqual([]);
        });
      }
    }
  });
}
