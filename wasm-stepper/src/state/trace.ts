/**
 * The trace path of docs/DESIGN.md ("Fast and slow engines"): state hashes at any
 * step of one execution, on demand, for the dissection moves of the game.
 *
 * `Trace.create` runs the whole execution once with the interpreter, keeping a
 * snapshot every `stride` steps. `hashesAt(positions)` re-executes only from
 * the nearest snapshot at or before each position: positions are grouped by
 * snapshot segment and the segments are spread over worker threads (piscina),
 * or run on the calling thread when the work is small.
 *
 * @example
 * const trace = await Trace.create({ cm, opts: { input } }, { stride: 2 ** 20 });
 * const [h1, h2] = await trace.hashesAt([1000, trace.steps]);
 * const proof = trace.proveStep(999); // proof.after equals h1
 * await trace.close();
 *
 * Memory cost of the snapshots: each snapshot holds the value stack up to sp
 * (8 bytes a slot), the frame records, globals, table, the dropped flags and
 * the output so far, plus the 64 KiB memory pages that changed since the
 * previous snapshot (unchanged pages are shared). So a trace costs at most
 * (steps / stride + 2) x (memory size + output size + stack), and much less
 * when the program writes to few pages per stride. Measured on the benchmark
 * workloads (bench/): the sieve (40M steps over 1 MiB of memory) keeps 40
 * snapshots in 18 MiB at the default stride 2^20, 612 in 100 MiB at 2^16;
 * the xorshift loop (37M steps, one page it never writes) 0.1 MiB either way.
 * A smaller stride makes each position cheaper to reach (at most `stride`
 * steps of re-execution) at that memory cost: `trace.snapshotBytes` reports it.
 * Each thread that replays (the calling thread, each worker) also keeps the
 * memory subtrees of the snapshot pages it restored, about 2 x 64 KiB a
 * distinct page, up to 64 MiB (trace-replay.ts PAGE_TREE_CACHE_BYTES), so that
 * coming back to a snapshot rehashes no leaf of those pages.
 *
 * Worker threads keep the process alive: close() the trace when done.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { UsageError } from "../errors.ts";
import { PAGE_SIZE, type Machine } from "../machine.ts";
import type { RunResult, Status } from "../types.ts";
import { Prover, machineFor, type ProveTarget, type StepProof } from "./prove.ts";
import { possiblyNonZeroPages, Replayer, runInSlices, storeSnapshot, warmUp, type ReplayStats, type StoredSnapshot } from "./trace-replay.ts";
import type { TraceTask, TraceTaskResult } from "./trace-worker.ts";

export type { StoredSnapshot } from "./trace-replay.ts";

/** The worker entry (it loads trace-worker.ts, with tsx when needed). */
const WORKER_FILE = fileURLToPath(new URL("./trace-worker-boot.mjs", import.meta.url));

export const DEFAULT_STRIDE = 2 ** 20;

export interface TraceOptions {
  /** Steps between snapshots (default 2^20). See the file comment for the memory cost. */
  stride?: number;
  /** Worker threads for hashesAt (default os.availableParallelism(); 0: always the calling thread). */
  workers?: number;
  /**
   * hashesAt work estimated below this many milliseconds runs on the calling
   * thread: a worker task costs 11-65 us of dispatch (docs/PERFORMANCE.md) and a
   * worker's first task for a trace compiles the module and builds the memory
   * tree. Default 1; 0 sends every request with at least one position to the workers.
   */
  inlineBelowMs?: number;
  /** Called after every stride of Trace.create with the steps executed so far. */
  onProgress?: (steps: number) => void;
  /**
   * Start the worker threads while Trace.create is still running, once it has
   * run for `prestartAfterMs` (default 200; Infinity: start them at the first
   * hashesAt that needs them). A thread takes ~0.5 s to start (loading the
   * TypeScript sources), which a long run hides; a short run spawns none.
   */
  prestartAfterMs?: number;
  /**
   * FOR FAULT INJECTION ONLY (tests, demos): at step `step` of the run, `apply`
   * changes the machine (through snapshot/restore), and the trace continues
   * from the changed state: a consistent trace of a false execution that
   * diverges at `step` (its hashes from `step` on are of the changed state).
   * A snapshot is kept at `step`, so every position is re-executed from a
   * state on the right side of the divergence. Throws if the run ends before.
   */
  fault?: TraceFault;
}

export interface TraceFault {
  step: number;
  apply: (m: Machine) => void;
}

/** How the last hashesAt call was served. */
export interface HashesAtInfo {
  positions: number;
  /** Distinct positions after clamping to the end of the execution. */
  distinct: number;
  segments: number;
  /** Estimated work, milliseconds of one thread. */
  estimatedMs: number;
  /** "inline": the calling thread; "workers": `tasks` piscina tasks. */
  mode: "inline" | "workers";
  tasks: number;
  /** Summed over the threads that did the work. */
  stats: ReplayStats & { coldTasks: number };
  ms: number;
}

/** Per-position cost of a state hash besides memory, and per byte of a restore (rough). */
const HASH_NS = 20_000;
const RESTORE_NS_PER_BYTE = 0.5;
/** A full memory tree build, per 32-byte leaf. */
const BUILD_NS_PER_LEAF = 500;
/**
 * Rehashing one changed memory leaf: about 2 node hashes (its path shares the
 * upper levels with its neighbours'). Runs mark about 2x as many leaves as
 * they change (rewrites of equal bytes), measured on the sieve.
 */
const REHASH_NS_PER_LEAF = 900;
const DIRTY_PER_CHANGED = 2;
/** Weight of earlier calls' task times in the cost model's fit (per call). */
const FIT_DECAY = 0.7;

function toShared(b: Uint8Array): Uint8Array {
  const s = new Uint8Array(new SharedArrayBuffer(b.length));
  s.set(b);
  return s;
}

function checkPosition(p: unknown, what: string): number {
  if (typeof p !== "number") throw new UsageError(`${what} must be a number, got ${typeof p}`);
  if (!Number.isSafeInteger(p) || p < 0) throw new UsageError(`${what} must be a non-negative integer, got ${p}`);
  return p;
}

function startPool(workers: number): Piscina<TraceTask, TraceTaskResult> {
  return new Piscina<TraceTask, TraceTaskResult>({ filename: WORKER_FILE, minThreads: workers, maxThreads: workers });
}

interface Job {
  snap: number;
  positions: number[];
}

export class Trace {
  /** Steps executed to the terminal state. */
  readonly steps: number;
  readonly status: Exclude<Status, "running">;
  /** The execution's result (status, results, output, steps). */
  readonly result: RunResult;
  /** Bytes held by the snapshots (shared pages counted once). */
  readonly snapshotBytes: number;
  /** Milliseconds Trace.create spent, and its interpretation speed (ns per step, snapshots included). */
  readonly createMs: number;
  readonly nsPerStep: number;
  /** How the last hashesAt call was served. */
  lastHashesAt: HashesAtInfo | undefined;

  private readonly id = randomUUID();
  private pool: Piscina<TraceTask, TraceTaskResult> | undefined;
  private local: Replayer | undefined;
  private proveMachine: Machine | undefined;
  private shared: { module: Uint8Array; input: Uint8Array } | undefined;
  private closed = false;
  /** Weights of estimateMs's cost drivers, refit to measured task times by calibrate(). */
  private model = { runScale: 1, nsPerLeaf: REHASH_NS_PER_LEAF };
  private readonly fit = { rr: 0, rl: 0, ll: 0, ry: 0, ly: 0 };
  private segNs: number[] | undefined;

  private constructor(
    readonly target: ProveTarget,
    readonly stride: number,
    readonly workers: number,
    private readonly inlineBelowMs: number,
    /** Ascending by steps: every multiple of the stride, and the terminal state. */
    private readonly snapshots: StoredSnapshot[],
    m: Machine,
    snapshotBytes: number,
    createMs: number,
  ) {
    this.steps = m.steps;
    this.result = m.result();
    this.status = this.result.status;
    this.snapshotBytes = snapshotBytes;
    this.createMs = createMs;
    this.nsPerStep = m.steps > 0 ? (createMs * 1e6) / m.steps : 0;
  }

  /**
   * Runs the execution of `target` to its terminal state (it must terminate:
   * bound it with `opts.limits.maxSteps`), keeping a snapshot at every multiple
   * of `stride` and of the terminal state.
   */
  static async create(target: ProveTarget, opts: TraceOptions = {}): Promise<Trace> {
    const stride = opts.stride ?? DEFAULT_STRIDE;
    if (!Number.isSafeInteger(stride) || stride < 1) throw new UsageError(`stride must be a positive integer, got ${stride}`);
    const workers = opts.workers ?? os.availableParallelism();
    if (!Number.isSafeInteger(workers) || workers < 0) throw new UsageError(`workers must be a non-negative integer, got ${workers}`);
    const inlineBelowMs = opts.inlineBelowMs ?? 1;
    if (!(inlineBelowMs >= 0)) throw new UsageError(`inlineBelowMs must be >= 0, got ${inlineBelowMs}`);

    const prestartAfterMs = opts.prestartAfterMs ?? 200;

    const t0 = performance.now();
    let pool: Piscina<TraceTask, TraceTaskResult> | undefined;
    const m = machineFor(target);
    const snaps: StoredSnapshot[] = [];
    let bytes = 0;
    let segStart = performance.now();
    const keep = () => {
      // The machine's pages are read in place, only those that may be non-zero.
      const { snap, newBytes } = storeSnapshot(m.snapshot(false), snaps[snaps.length - 1], m.memory, possiblyNonZeroPages(m));
      const t = performance.now();
      if (snaps.length > 0) snap.runMs = t - segStart;
      segStart = t;
      snaps.push(snap);
      bytes += newBytes;
    };
    keep();
    const fault = opts.fault;
    if (fault && (!Number.isSafeInteger(fault.step) || fault.step < 1)) throw new UsageError(`a fault's step must be an integer >= 1 (step 0 is the task's initial state), got ${fault.step}`);
    let faulted = false;
    const applyFault = () => {
      fault!.apply(m);
      faulted = true;
      keep();
    };
    try {
      let warm = false;
      while (m.status === "running") {
        let next = (Math.floor(m.steps / stride) + 1) * stride;
        if (fault && !faulted && fault.step > m.steps && fault.step < next) next = fault.step;
        if (!warm) warmUp(m, next);
        warm = true;
        runInSlices(m, next);
        if (fault && !faulted && m.steps === fault.step) applyFault();
        // A terminal state is kept below, whatever its step count.
        else if (m.status === "running") keep();
        opts.onProgress?.(m.steps);
        if (workers > 0 && pool === undefined && performance.now() - t0 >= prestartAfterMs) pool = startPool(workers);
        // Let timers and I/O run between slices (progress output, signals).
        await new Promise<void>((r) => setImmediate(r));
        segStart = performance.now();
      }
    } catch (e) {
      await pool?.destroy();
      throw e;
    }
    if (fault && !faulted) {
      if (m.steps !== fault.step) {
        await pool?.destroy();
        throw new UsageError(`the fault is at step ${fault.step} but the run ends at step ${m.steps}`);
      }
      applyFault();
    }
    // The terminal state (a step never leaves a state unchanged, so it is not kept yet unless it is step 0).
    if (snaps[snaps.length - 1]!.steps !== m.steps) keep();
    const trace = new Trace(target, stride, workers, inlineBelowMs, snaps, m, bytes, performance.now() - t0);
    if (pool) trace.adoptPool(pool);
    return trace;
  }

  /**
   * Takes a pool started during create and prepares every thread for this
   * trace (compiles the module, warms up the interpreter, builds the memory
   * tree at step 0) in the background.
   */
  private adoptPool(pool: Piscina<TraceTask, TraceTaskResult>): void {
    this.pool = pool;
    for (let i = 0; i < this.workers; i++) this.runTask([{ snap: 0, positions: [0] }]).catch(() => {});
  }

  /**
   * A trace from snapshots kept by an earlier one (ascending, the first at
   * step 0, the last the terminal state), without re-running the execution:
   * a daemon restarting mid-game (see trace-store.ts).
   */
  static fromSnapshots(target: ProveTarget, snapshots: StoredSnapshot[], opts: TraceOptions & { createMs?: number } = {}): Trace {
    if (snapshots.length === 0 || snapshots[0]!.steps !== 0) throw new UsageError("a trace's snapshots start at step 0");
    const last = snapshots[snapshots.length - 1]!;
    const m = machineFor(target);
    const mem = new Uint8Array(last.memoryLength);
    last.pages.forEach((p, i) => mem.set(p, i * p.length));
    m.restore({ ...last.state, memory: mem });
    if (m.status === "running") throw new UsageError(`the last snapshot (step ${last.steps}) is not a terminal state`);
    const bytes = new Set(snapshots.flatMap((x) => x.pages)).size * PAGE_SIZE;
    const workers = opts.workers ?? os.availableParallelism();
    return new Trace(target, opts.stride ?? DEFAULT_STRIDE, workers, opts.inlineBelowMs ?? 1, snapshots, m, bytes, opts.createMs ?? 0);
  }

  /** The snapshots kept (for persisting the trace: trace-store.ts). */
  get storedSnapshots(): readonly StoredSnapshot[] {
    return this.snapshots;
  }

  /** Number of snapshots kept. */
  get snapshotCount(): number {
    return this.snapshots.length;
  }

  /** Index of the last snapshot at or before step `p` (p <= this.steps). */
  private snapshotFor(p: number): number {
    const s = this.snapshots;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.steps <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private checkOpen(): void {
    if (this.closed) throw new UsageError("the trace is closed");
  }

  /**
   * A job's cost drivers, in ns of one thread: re-execution at the speed Trace.create had in
   * that segment (`runNs`), the memory leaves to rehash (`leaves`: what the restore changes
   * and what the run marks, pro rata of the segment's changes), and the rest (`fixedNs`: the
   * restore's copy and diff, a per-position hash, a first tree build). estimateMs weighs them.
   */
  private jobCost(job: Job, cold: boolean): { runNs: number; leaves: number; fixedNs: number } {
    const snap = this.snapshots[job.snap]!;
    const next = this.snapshots[job.snap + 1];
    const steps = job.positions[job.positions.length - 1]! - snap.steps;
    const segSteps = next ? next.steps - snap.steps : 1;
    const leaves = snap.leavesChanged + (next ? next.leavesChanged * DIRTY_PER_CHANGED * Math.min(1, steps / segSteps) : 0);
    const build = cold ? (snap.memoryLength / 32) * BUILD_NS_PER_LEAF : 0;
    return { runNs: steps * this.segmentNsPerStep(job.snap), leaves, fixedNs: snap.memoryLength * RESTORE_NS_PER_BYTE + build + job.positions.length * HASH_NS };
  }

  /** Estimated milliseconds of one thread for a job (jobCost, weighed by the calibrated model). */
  private estimateMs(job: Job, cold: boolean): number {
    const c = this.jobCost(job, cold);
    return (this.model.runScale * c.runNs + this.model.nsPerLeaf * c.leaves + c.fixedNs) / 1e6;
  }

  /**
   * Trace.create's ns per step in the segment from snapshot j to j+1: the median of its own
   * and its neighbours' speeds (one slow segment, a pause of the machine, does not skew the
   * plan); the whole run's average where the snapshots carry no timing.
   */
  private segmentNsPerStep(j: number): number {
    if (!this.segNs) {
      const s = this.snapshots;
      const own = s.map((_, i) => {
        const next = s[i + 1];
        return next?.runMs !== undefined && next.steps > s[i]!.steps ? (next.runMs * 1e6) / (next.steps - s[i]!.steps) : this.nsPerStep;
      });
      this.segNs = own.map((x, i) => {
        const w = [own[i - 1], x, own[i + 1]].filter((v): v is number => v !== undefined).sort((a, b) => a - b);
        return w[(w.length - 1) >> 1]!;
      });
    }
    return this.segNs[j] ?? this.nsPerStep;
  }

  /**
   * Refits the cost model to what the tasks of a call took: ms = runScale * runNs + nsPerLeaf *
   * leaves + fixedNs, least squares over decayed sums of earlier calls. A fit that is
   * degenerate (all tasks alike) or implausible leaves the model as it was.
   */
  private calibrate(samples: { jobs: Job[]; ms: number }[]): void {
    const f = this.fit;
    for (const k of Object.keys(f) as (keyof typeof f)[]) f[k] *= FIT_DECAY;
    for (const { jobs, ms } of samples) {
      let r = 0;
      let l = 0;
      let fixed = 0;
      for (const j of jobs) {
        const c = this.jobCost(j, false);
        r += c.runNs;
        l += c.leaves;
        fixed += c.fixedNs;
      }
      const y = ms * 1e6 - fixed;
      f.rr += r * r;
      f.rl += r * l;
      f.ll += l * l;
      f.ry += r * y;
      f.ly += l * y;
    }
    const det = f.rr * f.ll - f.rl * f.rl;
    if (!(det > 1e-3 * f.rr * f.ll)) return;
    const runScale = (f.ry * f.ll - f.ly * f.rl) / det;
    const nsPerLeaf = (f.rr * f.ly - f.rl * f.ry) / det;
    if (runScale >= 0.1 && runScale <= 10 && nsPerLeaf >= 50 && nsPerLeaf <= 100_000) this.model = { runScale, nsPerLeaf };
  }

  /**
   * The state hash at each position (a step count). A position past the end
   * gives the terminal state's hash (a terminal state steps to itself). Any
   * order, repeats allowed; the result is in the order of `positions`.
   */
  async hashesAt(positions: readonly number[]): Promise<Uint8Array[]> {
    this.checkOpen();
    if (!Array.isArray(positions)) throw new UsageError("positions must be an array of step numbers");
    const t0 = performance.now();
    const clamped = positions.map((p, i) => Math.min(checkPosition(p, `position ${i}`), this.steps));
    const distinct = [...new Set(clamped)].sort((a, b) => a - b);
    const jobs: Job[] = [];
    for (const p of distinct) {
      const s = this.snapshotFor(p);
      const last = jobs[jobs.length - 1];
      if (last && last.snap === s) last.positions.push(p);
      else jobs.push({ snap: s, positions: [p] });
    }

    const inlineMs = jobs.reduce((a, j, i) => a + this.estimateMs(j, i === 0 && this.local === undefined), 0);
    const useWorkers = this.workers > 0 && jobs.length > 0 && inlineMs >= this.inlineBelowMs;
    const info: HashesAtInfo = {
      positions: positions.length,
      distinct: distinct.length,
      segments: jobs.length,
      estimatedMs: inlineMs,
      mode: useWorkers ? "workers" : "inline",
      tasks: 0,
      stats: { steps: 0, restores: 0, incrementalRestores: 0, restoredLeaves: 0, pagesSwapped: 0, hashes: 0, coldTasks: 0 },
      ms: 0,
    };
    const byPos = new Map<number, Uint8Array>();
    const all = new Uint8Array(distinct.length * 32);
    if (!useWorkers) {
      this.local ??= new Replayer(this.target);
      const before = { ...this.local.stats };
      let o = 0;
      const timed: { jobs: Job[]; ms: number }[] = [];
      for (const j of jobs) {
        const tj = performance.now();
        this.local.hashPositions(this.snapshots[j.snap]!, j.positions, all, o);
        timed.push({ jobs: [j], ms: performance.now() - tj });
        o += j.positions.length * 32;
      }
      this.calibrate(timed);
      for (const k of ["steps", "restores", "incrementalRestores", "restoredLeaves", "pagesSwapped", "hashes"] as const) info.stats[k] = this.local.stats[k] - before[k];
    } else {
      const chunks = this.partition(jobs, Math.min(jobs.length, this.workers * 2));
      info.tasks = chunks.length;
      const results = await Promise.all(chunks.map((c) => this.runTask(c)));
      // A cold task's time includes compiling the module and a first tree build: not a sample.
      this.calibrate(results.flatMap((r, i) => (r.stats.cold ? [] : [{ jobs: chunks[i]!, ms: r.stats.ms }])));
      let o = 0;
      for (const r of results) {
        all.set(r.hashes, o);
        o += r.hashes.length;
        for (const k of ["steps", "restores", "incrementalRestores", "restoredLeaves", "pagesSwapped", "hashes"] as const) info.stats[k] += r.stats[k];
        if (r.stats.cold) info.stats.coldTasks++;
      }
    }
    distinct.forEach((p, i) => byPos.set(p, all.subarray(i * 32, i * 32 + 32)));
    info.ms = performance.now() - t0;
    this.lastHashesAt = info;
    return clamped.map((p) => byPos.get(p)!.slice());
  }

  /** The state hash at one position. */
  async hashAt(position: number): Promise<Uint8Array> {
    return (await this.hashesAt([position]))[0]!;
  }

  /**
   * Splits `jobs` (ascending) into at most `n` contiguous runs of about equal
   * estimated work: a worker serves a run in order, and more runs than
   * workers lets a fast worker take more of them.
   */
  private partition(jobs: Job[], n: number): Job[][] {
    const cost = jobs.map((j) => this.estimateMs(j, false));
    const total = cost.reduce((a, b) => a + b, 0);
    const out: Job[][] = [];
    let cur: Job[] = [];
    let acc = 0;
    for (let i = 0; i < jobs.length; i++) {
      cur.push(jobs[i]!);
      acc += cost[i]!;
      if (out.length < n - 1 && acc >= (total * (out.length + 1)) / n) {
        out.push(cur);
        cur = [];
      }
    }
    if (cur.length > 0) out.push(cur);
    return out;
  }

  private runTask(jobs: Job[]): Promise<TraceTaskResult> {
    this.pool ??= startPool(this.workers);
    if (!this.shared) {
      const t = this.target;
      this.shared = { module: toShared(t.cm.module.bytes), input: toShared(t.opts?.input ?? new Uint8Array(0)) };
    }
    const t = this.target;
    const task: TraceTask = {
      traceId: this.id,
      module: this.shared.module,
      input: this.shared.input,
      jobs: jobs.map((j) => ({ snapshot: this.snapshots[j.snap]!, positions: j.positions })),
    };
    if (t.opts?.limits) task.limits = t.opts.limits;
    if (t.invoke) task.invoke = t.invoke;
    return this.pool.run(task);
  }

  /**
   * The proof of step `n` (from state n to n+1), from the nearest snapshot:
   * `before` equals hashesAt([n]), `after` hashesAt([n + 1]). Past the end it
   * is the terminal state's identity step.
   */
  proveStep(n: number): StepProof {
    this.checkOpen();
    checkPosition(n, "step");
    const snap = this.snapshots[this.snapshotFor(Math.min(n, this.steps))]!;
    this.proveMachine ??= machineFor(this.target);
    const m = this.proveMachine;
    const mem = new Uint8Array(snap.memoryLength);
    for (const i of snap.nonZeroPages) mem.set(snap.pages[i]!, i * PAGE_SIZE);
    // restore() marks the whole state for a fresh commitment (the Prover's own).
    m.restore({ ...snap.state, memory: mem, nonZeroPages: snap.nonZeroPages });
    runInSlices(m, n);
    return { ...new Prover(m).proveNext(), step: n };
  }

  /** Stops the worker threads. The trace cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.destroy();
  }
}
