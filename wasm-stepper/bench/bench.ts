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
 * Then, on the same workloads, the cost of state hashing (src/state/, the
 * trace path of the dispute game): interpretation with a state hash every
 * 2^10, 2^16 and 2^20 steps; the state hashes of a dissection move (k-1
 * positions over 2^24 steps) from a Trace, on worker threads and on one
 * thread; per-step hashing; memory leaves dirtied per stride.
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
import { StateCommitment } from "../src/state/commit.ts";
import type { ProveTarget } from "../src/state/prove.ts";
import { Trace, type HashesAtInfo } from "../src/state/trace.ts";

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
  /** Dissection moves measured: k-1 positions each (`--ks`). */
  ks: number[];
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
  ks: [8, 16, 64],
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
  ks: [8, 16, 64],
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
  /** State hashing figures (absent if the interpreter could not be timed). */
  state?: StateReport;
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

const USAGE = "usage: tsx bench/bench.ts [--quick] [--out <file.json>] [--ks 8,16,64]";

function parseArgs(argv: string[]): { settings: Settings; out?: string } {
  let settings = FULL;
  let out: string | undefined;
  let ks: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") settings = QUICK;
    else if (a === "--out") {
      out = argv[++i];
      if (out === undefined) throw new Error("--out needs a file name");
    } else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else if (a === "--ks" || a.startsWith("--ks=")) {
      const v = a === "--ks" ? argv[++i] : a.slice("--ks=".length);
      ks = (v ?? "").split(",").map(Number);
      if (ks.length === 0 || !ks.every((k) => Number.isSafeInteger(k) && k >= 2)) throw new Error(`--ks needs a comma-separated list of integers >= 2, got ${v}`);
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (${USAGE})`);
  }
  if (ks) settings = { ...settings, ks };
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

  if (engines.interp.medianStepsPerSecond !== undefined && rep.stepsPerCall !== undefined) {
    try {
      rep.state = await measureState(w, cm, s, engines.interp.medianStepsPerSecond, rep.stepsPerCall);
      for (const c of rep.state.checks) rep.checks.push(c);
    } catch (e) {
      addCheck("state hashing measurements ran", false, e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
  }
  return rep;
}

// ---------------------------------------------------------------------------
// State hashing: what the trace path of the dispute game costs (src/state/).

/** Targets printed beside the state-hashing figures. */
const STATE_TARGETS = {
  /** Interpretation with a state hash every 2^16 steps, time / plain interpretation's (integer-heavy). */
  stride16OverPlain: 1.5,
  /** A dissection move's k-1 hashes (from a Trace, worker threads), time / interpreting its range. */
  dissectionOverRange: 1.5,
  /** step() + stateHashInto() after every step. */
  perStepStepsPerSecond: 1e6,
} as const;
const HASH_STRIDES_LOG2 = [10, 16, 20] as const;
/** Steps a dissection move's range spans (at least 2^24 as the targets are stated). */
const DISSECTION_RANGE = 2 ** 24;
/** Steps of per-step hashing, at each of PER_STEP_AT (fractions of the run). */
const PER_STEP_STEPS = 2 ** 16;
const PER_STEP_AT = [0.25, 0.5, 0.75] as const;
/** Timed samples of PER_STEP_STEPS at each position (their median is the position's figure). */
const PER_STEP_SAMPLES = 3;
/** Rough cost of one Merkle node hash (docs/PERFORMANCE.md: ~0.5 us with a batched keccak). */
const US_PER_NODE = 0.5;

interface StrideHashing {
  strideLog2: number;
  /** Timed: runTo(next multiple) then stateHash(), from the hash of step 0 (the initial tree build is not timed). */
  samples: { seconds: number; steps: number; hashes: number; stepsPerSecond: number }[];
  medianStepsPerSecond: number;
  /** Plain interpretation's steps/s divided by this one: how many times longer the same run takes. */
  timeOverPlain: number;
  target?: { max: number; met: boolean };
  /** Memory leaves marked dirty per stride (memory-heavy workload; counted in a separate, untimed run). */
  avgDirtyLeaves?: number;
  maxDirtyLeaves?: number;
}

interface DissectionFigure {
  k: number;
  /** "workers": the Trace's worker threads; "1 thread": a Trace with workers: 0. */
  threads: string;
  positions: number;
  rangeSteps: number;
  /** Interpreting the range at the plain interpreter's median steps/s. */
  rangeInterpMs: number;
  /** The first call on this trace (worker threads still loading or cold), not in the median. */
  firstCallMs: number;
  /** One sample per range offset. */
  samples: { lo: number; ms: number; served: Omit<HashesAtInfo, "ms"> }[];
  medianMs: number;
  timeOverRange: number;
  target: { max: number; met: boolean };
}

interface StateReport {
  /**
   * Plain interpretation measured here, interleaved with the hashing runs
   * (fresh Machine, runTo in 2^20-step calls as run() does): the baseline of
   * every ratio below. The interpreter row above is the same work measured
   * earlier; V8's tiering can leave the two apart (see bench/README.md).
   */
  plainStepsPerSecond: number;
  plainSamples: number[];
  /** The interpreter engine's median from the table above, for comparison. */
  interpEngineStepsPerSecond: number;
  strideHashing: StrideHashing[];
  trace: {
    stride: number;
    workers: number;
    steps: number;
    snapshots: number;
    snapshotBytes: number;
    createMs: number;
    /** Trace.create's time over plain interpretation of the whole run (worker threads were starting meanwhile). */
    createOverPlain: number;
    createMsOneThread: number;
  };
  dissection: DissectionFigure[];
  perStep: { at: number[]; stepsPerSecond: number[]; medianStepsPerSecond: number; target: { min: number; met: boolean } };
  checks: Check[];
  notes: string[];
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function benchTarget(w: Workload, cm: CompiledModule): ProveTarget {
  return { cm, opts: { limits: LIMITS }, invoke: { name: w.export, args: [{ type: "i32", value: w.arg | 0 }] } };
}

function freshMachine(w: Workload, cm: CompiledModule): Machine {
  const m = Machine.instantiate(cm, { limits: LIMITS });
  m.prepareInvoke(w.export, [{ type: "i32", value: w.arg | 0 }]);
  return m;
}

/** One invocation without hashing, in runTo calls of 2^20 steps (as Machine.run slices it). */
function plainRun(w: Workload, cm: CompiledModule): { seconds: number; steps: number } {
  const m = freshMachine(w, cm);
  const t0 = now();
  while (m.status === "running") m.runTo(m.steps + 2 ** 20);
  return { seconds: now() - t0, steps: m.steps };
}

/** One invocation hashed every `stride` steps; returns the timed part and the final hash. */
function strideRun(w: Workload, cm: CompiledModule, stride: number): { seconds: number; steps: number; hashes: number; final: string } {
  const m = freshMachine(w, cm);
  const c = new StateCommitment(m);
  c.stateHash();
  let hashes = 0;
  let h: Uint8Array = new Uint8Array(0);
  const t0 = now();
  while (m.status === "running") {
    m.runTo(m.steps + stride);
    h = c.stateHash();
    hashes++;
  }
  const seconds = now() - t0;
  return { seconds, steps: m.steps, hashes, final: hexOf(h) };
}

/** Memory leaves marked dirty at each stride (the machine's dirty marks before each stateHash). */
function dirtyLeavesPerStride(w: Workload, cm: CompiledModule, stride: number): { avg: number; max: number } {
  const m = freshMachine(w, cm);
  const c = new StateCommitment(m);
  c.stateHash();
  let total = 0;
  let max = 0;
  let n = 0;
  while (m.status === "running") {
    m.runTo(m.steps + stride);
    const d = m.changes.dirtyCount;
    total += d;
    max = Math.max(max, d);
    n++;
    c.stateHash();
  }
  return { avg: total / Math.max(1, n), max };
}

/** step() + stateHashInto() from step `at`: PER_STEP_STEPS untimed, then PER_STEP_SAMPLES timed samples of as many; returns their median steps/s and the last hash. */
function perStepRun(w: Workload, cm: CompiledModule, at: number): { stepsPerSecond: number; end: number; hash: string } {
  const m = freshMachine(w, cm);
  m.runTo(at);
  const c = new StateCommitment(m);
  // Into one buffer, as the trace writes its hashes (StateCommitment.stateHashInto).
  const h = new Uint8Array(32);
  c.stateHashInto(h, 0);
  // Warm-up as long as the timed part: with 1,000 steps, a fresh machine and commitment at the
  // same position measured anywhere from 0.5x to 1x of their steady speed (V8 still optimising
  // the per-step path, the collector clearing the trees' build), so the row swung 2x from run to run.
  for (let i = 0; i < PER_STEP_STEPS; i++) {
    m.step();
    c.stateHashInto(h, 0);
  }
  // Three timed samples in a row, their median: one sample of ~0.1 s is easily hit by the
  // machine's other work.
  const rates: number[] = [];
  for (let k = 0; k < PER_STEP_SAMPLES; k++) {
    const start = m.steps;
    const t0 = now();
    for (let i = 0; i < PER_STEP_STEPS; i++) {
      m.step();
      c.stateHashInto(h, 0);
    }
    rates.push((m.steps - start) / (now() - t0));
  }
  return { stepsPerSecond: median(rates), end: m.steps, hash: hexOf(h) };
}

/** Ranges of DISSECTION_RANGE steps spread over the run, not aligned with the snapshots. */
function dissectionRanges(steps: number, n: number): number[] {
  const span = Math.max(0, steps - DISSECTION_RANGE);
  return Array.from({ length: n }, (_, r) => Math.min(span, Math.floor((span * (r + 0.5)) / n) + 12_345 * (r + 1)));
}

function movePositions(lo: number, range: number, k: number): number[] {
  return Array.from({ length: k - 1 }, (_, i) => lo + Math.floor(((i + 1) * range) / k));
}

async function dissection(trace: Trace, threads: string, k: number, ranges: number[], range: number, plainRate: number): Promise<{ fig: DissectionFigure; hashes: string[][] }> {
  const first = performance.now();
  await trace.hashesAt(movePositions(ranges[0]! + 1, range, k));
  const firstCallMs = performance.now() - first;
  const samples: DissectionFigure["samples"] = [];
  const hashes: string[][] = [];
  for (const lo of ranges) {
    const pos = movePositions(lo, range, k);
    const t0 = performance.now();
    const hs = await trace.hashesAt(pos);
    const ms = performance.now() - t0;
    const { ms: _, ...served } = trace.lastHashesAt!;
    samples.push({ lo, ms, served });
    hashes.push(hs.map(hexOf));
  }
  const medianMs = median(samples.map((x) => x.ms));
  const rangeInterpMs = (range / plainRate) * 1000;
  const timeOverRange = medianMs / rangeInterpMs;
  const fig: DissectionFigure = {
    k,
    threads,
    positions: k - 1,
    rangeSteps: range,
    rangeInterpMs,
    firstCallMs,
    samples,
    medianMs,
    timeOverRange,
    target: { max: STATE_TARGETS.dissectionOverRange, met: timeOverRange <= STATE_TARGETS.dissectionOverRange },
  };
  return { fig, hashes };
}

async function measureState(w: Workload, cm: CompiledModule, s: Settings, interpEngineRate: number, stepsPerCall: number): Promise<StateReport> {
  const checks: Check[] = [];
  const notes: string[] = [];
  const samples = s.quick ? 2 : 3;

  // Plain interpretation and interpretation with a state hash every 2^10 / 2^16 / 2^20 steps,
  // interleaved round by round (as the engines above) so that load hits them alike.
  const plain: number[] = [];
  const runsBy = new Map<number, ReturnType<typeof strideRun>[]>(HASH_STRIDES_LOG2.map((lg) => [lg, []]));
  plainRun(w, cm);
  for (let round = 0; round < samples; round++) {
    const p = plainRun(w, cm);
    plain.push(p.steps / p.seconds);
    for (const lg of HASH_STRIDES_LOG2) runsBy.get(lg)!.push(strideRun(w, cm, 2 ** lg));
  }
  const plainRate = median(plain);
  if (Math.abs(plainRate / interpEngineRate - 1) > 0.15)
    notes.push(
      `plain interpretation measured here (${formatRate(plainRate)} steps/s) differs from the interpreter row above (${formatRate(interpEngineRate)}) by more than 15%: ` +
        `V8 compiled the interpreter loop differently in the two phases (bench/README.md, "Warm-up"); the ratios below use the figure measured here, interleaved with the hashing runs`,
    );
  const strideHashing: StrideHashing[] = [];
  const finals = new Map<number, string>();
  for (const lg of HASH_STRIDES_LOG2) {
    const runs = runsBy.get(lg)!;
    const xs = runs.map((r) => ({ seconds: r.seconds, steps: r.steps, hashes: r.hashes, stepsPerSecond: r.steps / r.seconds }));
    const rate = median(xs.map((x) => x.stepsPerSecond));
    const sh: StrideHashing = { strideLog2: lg, samples: xs, medianStepsPerSecond: rate, timeOverPlain: plainRate / rate };
    if (lg === 16 && w.id === "integer") sh.target = { max: STATE_TARGETS.stride16OverPlain, met: sh.timeOverPlain <= STATE_TARGETS.stride16OverPlain };
    if (w.id === "memory") {
      const d = dirtyLeavesPerStride(w, cm, 2 ** lg);
      sh.avgDirtyLeaves = d.avg;
      sh.maxDirtyLeaves = d.max;
    }
    finals.set(lg, runs[0]!.final);
    strideHashing.push(sh);
  }
  checks.push({
    name: "state hashing: every stride size reaches the same final state hash",
    ok: new Set(finals.values()).size === 1,
    detail: [...finals].map(([lg, h]) => `2^${lg}: ${h.slice(0, 16)}`).join(", "),
  });

  // A dissection move's hashes, from a Trace over the whole invocation.
  const target = benchTarget(w, cm);
  const trace = await Trace.create(target);
  const one = await Trace.create(target, { workers: 0 });
  const range = Math.min(DISSECTION_RANGE, trace.steps);
  if (trace.steps < DISSECTION_RANGE) notes.push(`the run has ${trace.steps} steps, fewer than 2^24: the dissection range is the whole run`);
  const ranges = dissectionRanges(trace.steps, s.quick ? 3 : 5);
  const dissectionFigs: DissectionFigure[] = [];
  try {
    for (const k of s.ks) {
      const a = await dissection(trace, `${trace.workers} workers`, k, ranges, range, plainRate);
      const b = await dissection(one, "1 thread", k, ranges, range, plainRate);
      dissectionFigs.push(a.fig, b.fig);
      const same = a.hashes.every((hs, i) => hs.every((h, j) => h === b.hashes[i]![j]));
      checks.push({ name: `dissection k=${k}: worker threads and the calling thread give the same hashes`, ok: same, detail: `${a.hashes.length} moves of ${k - 1} positions` });
    }
    const [end] = await trace.hashesAt([trace.steps]);
    const f20 = finals.get(20)!;
    checks.push({ name: "Trace: the hash at the last step equals the stride-hashing run's final hash", ok: hexOf(end!) === f20, detail: `${hexOf(end!).slice(0, 16)} vs ${f20.slice(0, 16)}` });

    // Per-step hashing inside one stride, at a few places of the run.
    const per = PER_STEP_AT.map((f) => perStepRun(w, cm, Math.floor(stepsPerCall * f)));
    const perHashes = await trace.hashesAt(per.map((p) => p.end));
    checks.push({
      name: "per-step hashing: the hash after the run equals the Trace's at that step",
      ok: per.every((p, i) => p.hash === hexOf(perHashes[i]!)),
      detail: per.map((p) => `step ${p.end}`).join(", "),
    });
    const perRate = median(per.map((p) => p.stepsPerSecond));
    return {
      plainStepsPerSecond: plainRate,
      plainSamples: plain,
      interpEngineStepsPerSecond: interpEngineRate,
      strideHashing,
      trace: {
        stride: trace.stride,
        workers: trace.workers,
        steps: trace.steps,
        snapshots: trace.snapshotCount,
        snapshotBytes: trace.snapshotBytes,
        createMs: trace.createMs,
        createOverPlain: trace.createMs / ((trace.steps / plainRate) * 1000),
        createMsOneThread: one.createMs,
      },
      dissection: dissectionFigs,
      perStep: {
        at: per.map((p) => p.end - PER_STEP_STEPS),
        stepsPerSecond: per.map((p) => p.stepsPerSecond),
        medianStepsPerSecond: perRate,
        target: { min: STATE_TARGETS.perStepStepsPerSecond, met: perRate >= STATE_TARGETS.perStepStepsPerSecond },
      },
      checks,
      notes,
    };
  } finally {
    await trace.close();
    await one.close();
  }
}

const metCell = (met: boolean | undefined, what: string): string => (met === undefined ? "" : `${what}: ${met ? "met" : "NOT met"}`);
const times = (x: number): string => `${x.toFixed(2)}x`;

function printState(id: string, st: StateReport): void {
  const t = st.trace;
  process.stdout.write(
    `\n  state hashing (src/state/), against plain interpretation at ${formatRate(st.plainStepsPerSecond)} steps/s ` +
      `(median of ${st.plainSamples.map(formatRate).join(", ")}, measured interleaved with the hashing runs; interpreter row above: ${formatRate(st.interpEngineStepsPerSecond)}):\n`,
  );
  const rows: string[][] = [["what", "steps/s", "time vs plain interp.", "target"]];
  for (const sh of st.strideHashing) {
    rows.push([
      `hash every 2^${sh.strideLog2} steps (${formatInt(sh.samples[0]?.hashes ?? 0)} hashes)`,
      formatRate(sh.medianStepsPerSecond),
      times(sh.timeOverPlain),
      sh.target ? metCell(sh.target.met, `<= ${sh.target.max}x`) : sh.strideLog2 === 16 ? "(<= 1.5x is for integer-heavy)" : "",
    ]);
  }
  rows.push([
    `per-step: step() + stateHashInto(), 2^16 steps at ${st.perStep.at.map((a) => formatInt(a)).join(" / ")}`,
    `${formatRate(st.perStep.medianStepsPerSecond)} (${st.perStep.stepsPerSecond.map(formatRate).join(", ")})`,
    "",
    metCell(st.perStep.target.met, `>= ${formatRate(st.perStep.target.min)} steps/s`),
  ]);
  process.stdout.write(indent(table(rows, new Set([1, 2]))) + "\n");

  process.stdout.write(
    `\n  dissection move: k-1 state hashes evenly spaced over ${formatInt(st.dissection[0]?.rangeSteps ?? 0)} steps, from a Trace (stride 2^${Math.log2(t.stride)}, ` +
      `${t.snapshots} snapshots, ${(t.snapshotBytes / 2 ** 20).toFixed(1)} MiB; Trace.create ${t.createMs.toFixed(0)} ms = ${times(t.createOverPlain)} plain interp., ` +
      `${t.createMsOneThread.toFixed(0)} ms without workers)\n`,
  );
  const drows: string[][] = [["k", "threads", "first call ms", "sample ms", "median ms", "interp. range ms", "time vs range", "target", "re-executed steps", "restores", "leaves restored", "pages swapped"]];
  for (const d of st.dissection) {
    const last = d.samples[d.samples.length - 1]!.served;
    drows.push([
      String(d.k),
      d.threads,
      d.firstCallMs.toFixed(0),
      d.samples.map((x) => x.ms.toFixed(0)).join(" "),
      d.medianMs.toFixed(1),
      d.rangeInterpMs.toFixed(1),
      times(d.timeOverRange),
      d.threads === "1 thread" ? "(for reference)" : metCell(d.target.met, `<= ${d.target.max}x`),
      formatInt(median(d.samples.map((x) => x.served.stats.steps))),
      String(last.stats.restores),
      formatInt(median(d.samples.map((x) => x.served.stats.restoredLeaves))),
      formatInt(median(d.samples.map((x) => x.served.stats.pagesSwapped))),
    ]);
  }
  process.stdout.write(indent(table(drows, new Set([0, 2, 4, 5, 6, 8, 9, 10, 11]))) + "\n");

  if (id === "memory") {
    const parts = st.strideHashing.map((sh) => {
      const avg = sh.avgDirtyLeaves ?? 0;
      return `2^${sh.strideLog2}: ${formatInt(avg)} avg, ${formatInt(sh.maxDirtyLeaves ?? 0)} max (>= ${((avg * US_PER_NODE) / 1000).toFixed(2)} ms a stride at ${US_PER_NODE} us per leaf, more for the nodes above)`;
    });
    process.stdout.write(`\n  memory leaves dirtied per stride: ${parts.join("; ")}\n`);
  }
  for (const n of st.notes) process.stdout.write(`  note: ${n}\n`);
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => "  " + l)
    .join("\n");
}

function printStateSummary(reports: WorkloadReport[], ks: number[]): void {
  const withState = reports.filter((r) => r.state);
  if (withState.length === 0) return;
  const rows: string[][] = [["workload", "plain interp.", "hash/2^10", "hash/2^16", "hash/2^20", ...ks.map((k, i) => (i === 0 ? `dissection k=${k}` : `k=${k}`)), "per-step", "targets"]];
  for (const r of withState) {
    const st = r.state!;
    const sh = (lg: number) => {
      const x = st.strideHashing.find((y) => y.strideLog2 === lg);
      return x ? `${formatRate(x.medianStepsPerSecond)} (${times(x.timeOverPlain)})` : "-";
    };
    const dis = (k: number) => {
      const x = st.dissection.find((y) => y.k === k && y.threads !== "1 thread");
      return x ? `${x.medianMs.toFixed(0)} ms (${times(x.timeOverRange)})` : "-";
    };
    const missed: string[] = [];
    for (const x of st.strideHashing) if (x.target && !x.target.met) missed.push(`hash/2^${x.strideLog2}`);
    for (const x of st.dissection) if (x.threads !== "1 thread" && !x.target.met) missed.push(`dissection k=${x.k}`);
    if (!st.perStep.target.met) missed.push("per-step");
    rows.push([
      r.title,
      formatRate(st.plainStepsPerSecond),
      sh(10),
      sh(16),
      sh(20),
      ...ks.map(dis),
      formatRate(st.perStep.medianStepsPerSecond),
      missed.length === 0 ? "all met" : `NOT met: ${missed.join(", ")}`,
    ]);
  }
  process.stdout.write(
    `\nState hashing summary (steps/s and time vs plain interpretation; dissection: k-1 hashes over 2^24 steps on the Trace's worker threads, time vs interpreting the range)\n` +
      `targets: hash every 2^16 <= ${STATE_TARGETS.stride16OverPlain}x on integer-heavy; dissection <= ${STATE_TARGETS.dissectionOverRange}x; per-step >= ${formatRate(STATE_TARGETS.perStepStepsPerSecond)} steps/s\n`,
  );
  process.stdout.write(table(rows, new Set(Array.from({ length: 5 + ks.length }, (_, i) => i + 1))) + "\n");
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
  if (r.state) printState(r.id, r.state);
}

function printSummary(reports: WorkloadReport[], ks: number[]): void {
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
  printStateSummary(reports, ks);
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
  printSummary(reports, settings.ks);

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
    targets: { interpOverV8: TARGETS.interp, nativeOverV8: TARGETS.native, state: STATE_TARGETS },
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
