/**
 * Steps per second of the stepper's two engines against plain V8.
 *
 *   npm run bench -w wasm-stepper [-- --quick] [-- --out <file>]
 *
 * For each workload (examples/bench/*.wat: integer-heavy xorshift, memory-heavy
 * sieve) one process measures, on the SAME invocation `bench(n)`:
 *   (a) plain V8: the uninstrumented module on V8's WebAssembly;
 *   (b) the interpreter, `Machine.invoke`;
 *   (c) the native engine, `NativeInstance.invoke` (V8 instrumented to count steps).
 * A step is defined by spec/EXECUTION.md; plain V8 counts no steps, so its
 * steps/s is the interpreter's step count of the same invocation divided by
 * V8's time (the same work). Each engine is warmed up, then timed in samples of
 * k back-to-back invocations (k sized so a sample takes ~0.6 s), the engines
 * interleaved round by round; the figure is the median sample.
 *
 * Correctness: the three engines must return the same checksum, the
 * interpreter and the native engine the same step count, and every invocation
 * of an engine the same result as its first; otherwise the exit code is 1.
 * See bench/README.md for how to read the figures.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS, loadModule, Machine, watToWasm, type CompiledModule, type Limits, type RunResult } from "../src/index.ts";
import { loadNativeEngine, type NativeLoad } from "./lib/native.ts";
import { plainV8Export } from "./lib/plain-v8.ts";
import { formatInt, formatPercent, formatRate, median, table } from "./lib/stats.ts";

const PKG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Targets printed next to the ratios (fractions of plain V8's steps/s). */
const TARGETS = { interp: 0.01, native: 0.5 } as const;

interface Workload {
  id: string;
  title: string;
  /** WAT source, relative to the package. */
  file: string;
  export: string;
  /** The i32 argument of every timed invocation. */
  arg: number;
  /** Arguments for cheap warm-up calls (they let V8 optimise the engines' code; see warmUp). */
  tinyArg: number;
  smallArg: number;
}

const WORKLOADS: Workload[] = [
  { id: "integer", title: "integer-heavy (xorshift)", file: "examples/bench/xorshift.wat", export: "bench", arg: 1_000_000, tinyArg: 10, smallArg: 1000 },
  { id: "memory", title: "memory-heavy (sieve 1 MiB)", file: "examples/bench/sieve.wat", export: "bench", arg: 1_048_576, tinyArg: 10, smallArg: 1000 },
];

interface Settings {
  quick: boolean;
  /** Timed samples per engine (the median is reported). */
  rounds: number;
  /** Wanted duration of one timed sample, seconds. */
  targetSampleSeconds: number;
  /** The range a full run's samples should fall in; outside it a note is printed. */
  sampleRange: [number, number];
  /** Warm-up calls with the workload's `tinyArg`, first. */
  warmupTinyCalls: number;
  /** Warm-up calls with the workload's `smallArg` before each full-size warm-up call. */
  warmupSmallCalls: number;
  warmupMinCalls: number;
  warmupMinSeconds: number;
  warmupMaxSeconds: number;
}

const FULL: Settings = {
  quick: false,
  rounds: 5,
  targetSampleSeconds: 0.6,
  sampleRange: [0.3, 2],
  warmupTinyCalls: 1000,
  warmupSmallCalls: 50,
  warmupMinCalls: 3,
  warmupMinSeconds: 1,
  warmupMaxSeconds: 6,
};
const QUICK: Settings = {
  quick: true,
  rounds: 3,
  targetSampleSeconds: 0.05,
  sampleRange: [0, Infinity],
  warmupTinyCalls: 1000,
  warmupSmallCalls: 50,
  warmupMinCalls: 3,
  warmupMinSeconds: 0.2,
  warmupMaxSeconds: 2,
};

const LIMITS: Limits = { ...DEFAULT_LIMITS };

type EngineId = "v8" | "interp" | "native";
const ENGINE_LABEL: Record<EngineId, string> = { v8: "plain V8", interp: "interpreter", native: "native engine" };

/** One invocation's observable outcome. `steps` is undefined for plain V8. */
interface Outcome {
  status: string;
  trap?: string;
  checksum: number | undefined;
  steps: number | undefined;
}

interface Runner {
  id: EngineId;
  /** Native engine: the variant currently running (NativeInstance.engine). */
  variant?: () => string | undefined;
  /** One invocation of the timed size. */
  run(): Outcome;
  /** One invocation of a warm-up size (result not checked). */
  runSmall(tiny: boolean): void;
}

interface Sample {
  calls: number;
  seconds: number;
  steps: number;
  stepsPerSecond: number;
}

interface EngineReport {
  engine: EngineId;
  label: string;
  status: "ok" | "not available" | "error";
  reason?: string;
  /** Result of the engine's first invocation. */
  first?: Outcome;
  /** Warm-up: full-size calls (each timed, in callSeconds), tiny and small calls, total seconds. */
  warmup?: { calls: number; tinyCalls: number; smallCalls: number; seconds: number; callSeconds: number[] };
  callsPerSample?: number;
  samples: Sample[];
  medianStepsPerSecond?: number;
  /** Invocations whose result differed from the engine's first. */
  inconsistentCalls: number;
  /** Native engine only: the variant that ran the invocations (NativeInstance.engine), after warm-up and at the end. */
  variant?: { afterWarmup?: string; atEnd?: string };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface WorkloadReport {
  id: string;
  title: string;
  file: string;
  invocation: string;
  checksum?: number;
  stepsPerCall?: number;
  engines: Record<EngineId, EngineReport>;
  ratios: {
    interpOverV8?: number;
    nativeOverV8?: number;
    /** Per-round ratios (samples of the same round, taken back to back). */
    interpOverV8PerRound: number[];
    nativeOverV8PerRound: number[];
  };
  targets: {
    interpOverV8: { min: number; met?: boolean };
    nativeOverV8: { min: number; met?: boolean };
  };
  checks: Check[];
  notes: string[];
}

function fromRunResult(r: RunResult): Outcome {
  const v = r.results[0];
  const o: Outcome = {
    status: r.status,
    checksum: r.status === "finished" && r.results.length === 1 && v !== undefined && v.type === "i32" ? v.value | 0 : undefined,
    steps: r.steps,
  };
  if (r.trap !== undefined) o.trap = r.trap;
  return o;
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.status === b.status && a.trap === b.trap && a.checksum === b.checksum && a.steps === b.steps;
}

function describe(o: Outcome | undefined): string {
  if (o === undefined) return "-";
  const parts = [o.status + (o.trap ? `(${o.trap})` : "")];
  if (o.checksum !== undefined) parts.push(`checksum ${o.checksum}`);
  if (o.steps !== undefined) parts.push(`${o.steps} steps`);
  return parts.join(", ");
}

const now = (): number => performance.now() / 1000;

/**
 * Runs invocations until the engine has reached its optimised tier.
 *
 * Why it is elaborate: the interpreter runs a whole invocation inside one big
 * switch function. Measured here (Node 20 / V8 11.3), that function reaches
 * its full speed only when V8 optimises it as a whole, which happens after it
 * has been CALLED often enough. Long calls make V8 compile it on-stack-
 * replaced (OSR) instead, which ran about 3x slower, and (apparently because
 * every later call then enters the OSR code at its loop) warming up with long
 * or medium calls alone left it stuck there in 3 of 6 test runs. So: first
 * `warmupTinyCalls` calls with `tinyArg` (a few hundred steps each: many
 * short calls, no hot loop), then rounds of `warmupSmallCalls` cheap calls
 * (`smallArg`: feedback from every path of the loop)
 * each followed by one full-size call, until there were at least
 * `warmupMinCalls` full calls and `warmupMinSeconds`, and the last two full
 * calls are both within 15% of the fastest so far (a deoptimisation shows as a
 * slow call); at most `warmupMaxSeconds`. Plain V8 and the native engine tier
 * Wasm functions up per call, so the same sequence suits them.
 */
function warmUp(r: Runner, rep: EngineReport, s: Settings): void {
  const times: number[] = [];
  const start = now();
  let smallCalls = 0;
  for (let i = 0; i < s.warmupTinyCalls; i++) r.runSmall(true);
  for (;;) {
    for (let i = 0; i < s.warmupSmallCalls; i++) {
      r.runSmall(false);
      smallCalls++;
    }
    const t0 = now();
    const o = r.run();
    times.push(now() - t0);
    if (rep.first === undefined) rep.first = o;
    else if (!sameOutcome(o, rep.first)) rep.inconsistentCalls++;
    const elapsed = now() - start;
    if (times.length < s.warmupMinCalls || elapsed < s.warmupMinSeconds) continue;
    const best = Math.min(...times);
    const stable = times.slice(-2).every((x) => x <= best * 1.15);
    if (stable || elapsed >= s.warmupMaxSeconds) break;
  }
  rep.warmup = { calls: times.length, tinyCalls: s.warmupTinyCalls, smallCalls, seconds: now() - start, callSeconds: times };
}

function timeSample(r: Runner, rep: EngineReport, calls: number, stepsPerCall: number): Sample {
  const first = rep.first!;
  let bad = 0;
  const t0 = now();
  for (let i = 0; i < calls; i++) {
    const o = r.run();
    if (o.checksum !== first.checksum || o.steps !== first.steps || o.status !== first.status) bad++;
  }
  const seconds = now() - t0;
  rep.inconsistentCalls += bad;
  const steps = calls * stepsPerCall;
  return { calls, seconds, steps, stepsPerSecond: steps / seconds };
}

function parseArgs(argv: string[]): { settings: Settings; out?: string } {
  let settings = FULL;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") settings = QUICK;
    else if (a === "--out") {
      out = argv[++i];
      if (out === undefined) throw new Error("--out needs a file name");
    } else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: tsx bench/bench.ts [--quick] [--out <file.json>]\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (usage: tsx bench/bench.ts [--quick] [--out <file.json>])`);
  }
  return { settings, ...(out !== undefined ? { out } : {}) };
}

async function makeRunners(w: Workload, bytes: Uint8Array, cm: CompiledModule, native: NativeLoad, reports: Record<EngineId, EngineReport>): Promise<Runner[]> {
  const runners: Runner[] = [];
  const arg = w.arg | 0;
  const small = w.smallArg | 0;

  try {
    const f = plainV8Export(bytes, w.export);
    runners.push({
      id: "v8",
      run: () => ({ status: "finished", checksum: f(arg), steps: undefined }),
      runSmall: (tiny) => void f(tiny ? w.tinyArg : small),
    });
  } catch (e) {
    reports.v8.status = "error";
    reports.v8.reason = (e as Error).message;
  }

  try {
    const m = Machine.instantiate(cm, { limits: LIMITS });
    const args = [{ type: "i32" as const, value: arg }];
    const smallArgs = [{ type: "i32" as const, value: small }];
    const tinyArgs = [{ type: "i32" as const, value: w.tinyArg }];
    runners.push({
      id: "interp",
      run: () => fromRunResult(m.invoke(w.export, args)),
      runSmall: (tiny) => void m.invoke(w.export, tiny ? tinyArgs : smallArgs),
    });
  } catch (e) {
    reports.interp.status = "error";
    reports.interp.reason = (e as Error).message;
  }

  if (!native.available) {
    reports.native.status = native.broken ? "error" : "not available";
    reports.native.reason = native.reason;
  } else {
    try {
      const inst = await native.api.create(cm, { limits: LIMITS });
      const args = [{ type: "i32" as const, value: arg }];
      const smallArgs = [{ type: "i32" as const, value: small }];
      const tinyArgs = [{ type: "i32" as const, value: w.tinyArg }];
      const invoke = (a: typeof args): RunResult => {
        const r: unknown = inst.invoke(w.export, a);
        if (r instanceof Promise) throw new Error("NativeInstance.invoke returned a Promise; the benchmark needs the synchronous RunResult");
        return r as RunResult;
      };
      runners.push({
        id: "native",
        variant: () => (typeof inst.engine === "string" ? inst.engine : undefined),
        run: () => fromRunResult(invoke(args)),
        runSmall: (tiny) => void invoke(tiny ? tinyArgs : smallArgs),
      });
    } catch (e) {
      reports.native.status = "error";
      reports.native.reason = `NativeInstance.create failed: ${(e as Error).message}`;
    }
  }
  return runners;
}

async function runWorkload(w: Workload, s: Settings, native: NativeLoad): Promise<WorkloadReport> {
  const path = resolve(PKG_DIR, w.file);
  // The same bytes for all three engines.
  const bytes = await watToWasm(readFileSync(path, "utf8"), w.file);
  const cm = await loadModule(bytes);

  const engines = {} as Record<EngineId, EngineReport>;
  for (const id of ["v8", "interp", "native"] as const) {
    engines[id] = { engine: id, label: ENGINE_LABEL[id], status: "ok", samples: [], inconsistentCalls: 0 };
  }
  const rep: WorkloadReport = {
    id: w.id,
    title: w.title,
    file: w.file,
    invocation: `${w.export}(${w.arg})`,
    engines,
    ratios: { interpOverV8PerRound: [], nativeOverV8PerRound: [] },
    targets: { interpOverV8: { min: TARGETS.interp }, nativeOverV8: { min: TARGETS.native } },
    checks: [],
    notes: [],
  };

  const runners = await makeRunners(w, bytes, cm, native, engines);

  // Warm-up (also the first, checked invocation of each engine).
  const live: Runner[] = [];
  for (const r of runners) {
    try {
      warmUp(r, engines[r.id], s);
      if (r.variant) engines[r.id].variant = { afterWarmup: r.variant() };
      live.push(r);
    } catch (e) {
      engines[r.id].status = "error";
      engines[r.id].reason = `invocation threw: ${(e as Error).message}`;
    }
  }

  // Correctness of the first invocations. The interpreter is the reference
  // (spec/EXECUTION.md defines the steps; it counts them by construction).
  // An engine is timed only if its own checks pass (a wrong engine's speed means nothing).
  const ref = engines.interp.first;
  const valid = new Set<EngineId>();
  const addCheck = (name: string, ok: boolean, detail: string) => rep.checks.push({ name, ok, detail });
  const ranCheck = (id: EngineId): boolean => {
    const e = engines[id];
    if (e.status === "error") addCheck(`${e.label} ran`, false, e.reason ?? "error");
    return e.status === "ok" && e.first !== undefined;
  };
  if (ranCheck("interp")) {
    const ok = ref !== undefined && ref.status === "finished" && ref.checksum !== undefined;
    addCheck("interpreter finished with an i32 checksum", ok, describe(ref));
    if (ok) {
      valid.add("interp");
      rep.checksum = ref.checksum;
      rep.stepsPerCall = ref.steps;
    }
  }
  if (ranCheck("v8") && valid.has("interp")) {
    const v8 = engines.v8.first!;
    const ok = v8.checksum === ref!.checksum;
    addCheck("plain V8 checksum = interpreter checksum", ok, `V8 ${v8.checksum ?? "-"}, interpreter ${ref!.checksum}`);
    if (ok) valid.add("v8");
  }
  if (ranCheck("native") && valid.has("interp")) {
    const nat = engines.native.first!;
    const okSum = nat.status === ref!.status && nat.checksum === ref!.checksum;
    const okSteps = nat.steps === ref!.steps;
    addCheck("native checksum = interpreter checksum", okSum, `native ${describe(nat)}; interpreter ${describe(ref)}`);
    addCheck("native steps = interpreter steps", okSteps, `native ${nat.steps ?? "-"}, interpreter ${ref!.steps ?? "-"}`);
    if (okSum && okSteps) valid.add("native");
  }

  // Timed samples (V8's steps/s needs the interpreter's step count).
  const stepsPerCall = rep.stepsPerCall;
  const timed = live.filter((r) => valid.has(r.id));
  for (const r of live) if (!valid.has(r.id)) rep.notes.push(`${engines[r.id].label} not timed: its checks failed`);
  if (stepsPerCall !== undefined) {
    for (const r of timed) {
      const e = engines[r.id];
      // The fastest of the last warm-up calls is the steady speed (load only slows calls down).
      const perCall = Math.min(...e.warmup!.callSeconds.slice(-3));
      e.callsPerSample = Math.max(1, Math.ceil(s.targetSampleSeconds / perCall));
    }
    // Round-robin: one sample of every engine per round, so a burst of noise
    // on this shared machine hits all engines of a round alike.
    for (let round = 0; round < s.rounds; round++) {
      for (const r of timed) {
        const e = engines[r.id];
        if (e.status !== "ok") continue;
        try {
          e.samples.push(timeSample(r, e, e.callsPerSample!, stepsPerCall));
        } catch (err) {
          e.status = "error";
          e.reason = `invocation threw: ${(err as Error).message}`;
        }
      }
    }
    for (const r of timed) {
      const e = engines[r.id];
      if (e.status !== "ok") {
        addCheck(`${e.label} ran`, false, e.reason ?? "error");
        continue;
      }
      e.medianStepsPerSecond = median(e.samples.map((x) => x.stepsPerSecond));
      if (r.variant && e.variant) {
        e.variant.atEnd = r.variant();
        const vs = [e.variant.afterWarmup, e.variant.atEnd];
        if (vs.some((v) => v !== undefined && v !== "fast"))
          rep.notes.push(`${e.label}: ran as variant ${vs.join(" -> ")}, not "fast" (it fell back; the figure is not the fast path's)`);
      }
      addCheck(`${e.label}: every invocation gave the same result`, e.inconsistentCalls === 0, `${e.inconsistentCalls} differing invocation(s)`);
      const [lo, hi] = s.sampleRange;
      const out = e.samples.filter((x) => x.seconds < lo || x.seconds > hi);
      if (out.length > 0) rep.notes.push(`${e.label}: ${out.length} sample(s) outside ${lo}-${hi} s (${out.map((x) => x.seconds.toFixed(2)).join(", ")} s)`);
    }
  }

  const base = engines.v8.medianStepsPerSecond;
  const ratio = (id: "interp" | "native"): number | undefined => {
    const x = engines[id].medianStepsPerSecond;
    return x !== undefined && base !== undefined ? x / base : undefined;
  };
  const interpRatio = ratio("interp");
  const nativeRatio = ratio("native");
  if (interpRatio !== undefined) {
    rep.ratios.interpOverV8 = interpRatio;
    rep.targets.interpOverV8.met = interpRatio >= TARGETS.interp;
  }
  if (nativeRatio !== undefined) {
    rep.ratios.nativeOverV8 = nativeRatio;
    rep.targets.nativeOverV8.met = nativeRatio >= TARGETS.native;
  }
  const v8s = engines.v8.samples;
  engines.interp.samples.forEach((x, i) => v8s[i] && rep.ratios.interpOverV8PerRound.push(x.stepsPerSecond / v8s[i]!.stepsPerSecond));
  engines.native.samples.forEach((x, i) => v8s[i] && rep.ratios.nativeOverV8PerRound.push(x.stepsPerSecond / v8s[i]!.stepsPerSecond));
  return rep;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: PKG_DIR, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return undefined;
  }
}

function targetCell(ratio: number | undefined, min: number): string {
  if (ratio === undefined) return `>= ${formatPercent(min)}: -`;
  return `>= ${formatPercent(min)}: ${ratio >= min ? "met" : "NOT met"}`;
}

function printWorkload(r: WorkloadReport): void {
  const head = r.checksum !== undefined ? `${r.invocation} = ${r.checksum}, ${formatInt(r.stepsPerCall ?? 0)} steps per call` : r.invocation;
  process.stdout.write(`\n${r.title}: ${r.file}, ${head}\n`);
  const rows: string[][] = [["engine", "calls/sample", "sample times (s)", "median steps/s", "vs plain V8", "per round", "target"]];
  for (const id of ["v8", "interp", "native"] as const) {
    const e = r.engines[id];
    if (e.medianStepsPerSecond === undefined) {
      rows.push([e.label, "-", e.status === "ok" ? "not timed" : e.status, "-", "-", "", id === "v8" ? "" : targetCell(undefined, TARGETS[id])]);
      continue;
    }
    const ratio = id === "v8" ? 1 : id === "interp" ? r.ratios.interpOverV8 : r.ratios.nativeOverV8;
    const perRound = id === "v8" ? [] : id === "interp" ? r.ratios.interpOverV8PerRound : r.ratios.nativeOverV8PerRound;
    rows.push([
      e.variant?.atEnd !== undefined ? `${e.label} (${e.variant.atEnd})` : e.label,
      String(e.callsPerSample ?? "-"),
      e.samples.map((x) => x.seconds.toFixed(2)).join(" "),
      formatRate(e.medianStepsPerSecond),
      ratio === undefined ? "-" : formatPercent(ratio),
      perRound.length > 0 ? `${formatPercent(Math.min(...perRound))}-${formatPercent(Math.max(...perRound))}` : "",
      id === "v8" ? "(baseline)" : targetCell(ratio, TARGETS[id]),
    ]);
  }
  process.stdout.write(table(rows, new Set([1, 3, 4, 5])) + "\n");
  for (const id of ["v8", "interp", "native"] as const) {
    const e = r.engines[id];
    if (e.status !== "ok") process.stdout.write(`  ${e.label}: ${e.status}: ${e.reason ?? ""}\n`);
  }
  for (const c of r.checks) process.stdout.write(`  [${c.ok ? "ok" : "FAIL"}] ${c.name} (${c.detail})\n`);
  for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
}

function printSummary(reports: WorkloadReport[]): void {
  const rows: string[][] = [
    ["workload", "plain V8 steps/s", "interpreter steps/s", "interp/V8", `(>= ${formatPercent(TARGETS.interp)})`, "native steps/s", "native/V8", `(>= ${formatPercent(TARGETS.native)})`, "checks"],
  ];
  for (const r of reports) {
    const rate = (id: EngineId) => {
      const e = r.engines[id];
      return e.medianStepsPerSecond !== undefined ? formatRate(e.medianStepsPerSecond) : e.status === "ok" ? "-" : e.status;
    };
    const met = (m: boolean | undefined) => (m === undefined ? "-" : m ? "met" : "NOT met");
    rows.push([
      r.title,
      rate("v8"),
      rate("interp"),
      r.ratios.interpOverV8 !== undefined ? formatPercent(r.ratios.interpOverV8) : "-",
      met(r.targets.interpOverV8.met),
      rate("native"),
      r.ratios.nativeOverV8 !== undefined ? formatPercent(r.ratios.nativeOverV8) : "-",
      met(r.targets.nativeOverV8.met),
      r.checks.every((c) => c.ok) ? "ok" : "FAIL",
    ]);
  }
  process.stdout.write("\nSummary (medians; ratios = engine steps/s / plain V8 steps/s in this run)\n");
  process.stdout.write(table(rows, new Set([1, 2, 3, 5, 6])) + "\n");
}

async function main(): Promise<number> {
  const { settings, out } = parseArgs(process.argv.slice(2));
  const outFile = out !== undefined ? resolve(process.cwd(), out) : resolve(PKG_DIR, "bench/results", settings.quick ? "stepper-quick.json" : "stepper.json");
  const native = await loadNativeEngine();
  const cpus = os.cpus();
  process.stdout.write(
    `wasm-stepper bench${settings.quick ? " --quick (smoke run: short samples, figures are rough)" : ""}\n` +
      `node ${process.version} (V8 ${process.versions.v8}), ${os.platform()}/${os.arch()}, ${cpus.length} CPU(s) ${cpus[0]?.model.trim() ?? ""}, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n` +
      `${settings.rounds} samples per engine of ~${settings.targetSampleSeconds} s each, interleaved; figures are medians\n` +
      (native.available ? "" : `native engine: ${native.broken ? "ERROR" : "not available"}: ${native.reason}\n`),
  );

  const reports: WorkloadReport[] = [];
  for (const w of WORKLOADS) {
    const r = await runWorkload(w, settings, native);
    printWorkload(r);
    reports.push(r);
  }
  printSummary(reports);

  const ok = reports.every((r) => r.checks.every((c) => c.ok)) && !(native.available === false && native.broken);
  const json = {
    schema: "wasm-stepper-bench/1",
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()}/${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim(),
    loadavg: os.loadavg(),
    commit: gitCommit(),
    quick: settings.quick,
    settings: { ...settings, sampleRange: settings.sampleRange.map((x) => (Number.isFinite(x) ? x : null)) },
    limits: LIMITS,
    targets: { interpOverV8: TARGETS.interp, nativeOverV8: TARGETS.native },
    native: native.available ? { available: true } : { available: false, broken: native.broken, reason: native.reason },
    ok,
    workloads: reports,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(json, null, 2) + "\n");
  process.stdout.write(`\nwrote ${outFile}\n`);
  if (!ok) process.stdout.write("FAILED: see the [FAIL] lines above\n");
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
