/**
 * The piscina worker of src/state/trace.ts: state hashes at positions, by
 * re-executing from snapshots. Loaded through trace-worker-boot.mjs (which
 * registers tsx when the thread cannot import TypeScript by itself).
 *
 * A worker keeps one Replayer (compiled module, Machine, StateCommitment) per
 * trace it has served, so the module is compiled and the memory tree built once
 * per worker and trace; later tasks move the machine between snapshots and
 * rehash only the memory leaves that differ.
 */
import { compileWasm } from "../load.ts";
import type { Limits, Value } from "../types.ts";
import { Replayer, emptyStats, type ReplayStats, type StoredSnapshot } from "./trace-replay.ts";

/** One task: positions in one or more snapshot segments of one trace. */
export interface TraceTask {
  /** Unique per Trace: the key of the worker's cache. */
  traceId: string;
  /** The Wasm binary (SharedArrayBuffer-backed: posting it copies nothing). */
  module: Uint8Array;
  input: Uint8Array;
  limits?: Partial<Limits>;
  invoke?: { name: string; args: Value[] };
  /** Segments in ascending order; positions ascending within each, at or after the snapshot. */
  jobs: { snapshot: StoredSnapshot; positions: number[] }[];
}

export interface TraceTaskResult {
  /** 32 bytes per position, in the order of the task's jobs and positions. */
  hashes: Uint8Array;
  /** What this task cost the worker. */
  stats: ReplayStats & { ms: number; cold: boolean };
}

/** Traces served recently (most recent last); a few, each holds a Machine and a memory tree. */
const CACHE_SIZE = 4;
const cache = new Map<string, Replayer>();

function replayerFor(t: TraceTask): { r: Replayer; cold: boolean } {
  const hit = cache.get(t.traceId);
  if (hit) {
    cache.delete(t.traceId);
    cache.set(t.traceId, hit);
    return { r: hit, cold: false };
  }
  // compileWasm reads the bytes; a private copy keeps the module independent of the shared buffer.
  const cm = compileWasm(new Uint8Array(t.module));
  const r = new Replayer({ cm, opts: { input: new Uint8Array(t.input), ...(t.limits ? { limits: t.limits } : {}) }, ...(t.invoke ? { invoke: t.invoke } : {}) });
  cache.set(t.traceId, r);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return { r, cold: true };
}

/** The task handler (piscina calls the default export). */
export default function hashTask(t: TraceTask): TraceTaskResult {
  const t0 = performance.now();
  const { r, cold } = replayerFor(t);
  const before = { ...r.stats };
  let total = 0;
  for (const j of t.jobs) total += j.positions.length;
  const hashes = new Uint8Array(total * 32);
  let o = 0;
  for (const j of t.jobs) {
    r.hashPositions(j.snapshot, j.positions, hashes, o);
    o += j.positions.length * 32;
  }
  const stats = emptyStats();
  for (const k of Object.keys(stats) as (keyof ReplayStats)[]) stats[k] = r.stats[k] - before[k];
  return { hashes, stats: { ...stats, ms: performance.now() - t0, cold } };
}

/** Drops the cached state of a trace (or of all traces). */
export function forget(traceId?: string): void {
  if (traceId === undefined) cache.clear();
  else cache.delete(traceId);
}
