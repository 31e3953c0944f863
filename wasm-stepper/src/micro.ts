/**
 * Micro-stepped moves (spec/EXECUTION.md section 5): the one place that says how many
 * steps a branch, a return or a call takes ("Moves of many values") and how a move of
 * bytes (bulk memory, input_read, output_write) is cut into chunks ("Micro-stepped
 * instructions"). The interpreter (src/machine/), the proof semantics (src/state/osp/)
 * and the native engine (src/native/: its JS host calls use these functions, its
 * instrumented Wasm helpers are their transcription) all use these functions.
 */
import spec from "../spec/state.json" with { type: "json" };

/** K: the most values one step pops, drops, moves aside or moves back. */
export const VALUES_PER_STEP = spec.widths.valuesPerStep;
/** log2(K): a call writes its params into the new locals tree in aligned groups of K. */
export const VALUES_PER_STEP_LOG2 = spec.widths.valuesPerStepLog2;
if (2 ** VALUES_PER_STEP_LOG2 !== VALUES_PER_STEP) throw new Error("spec/state.json: valuesPerStep must be 2^valuesPerStepLog2");

const K = VALUES_PER_STEP;

/** Whether a taken branch moving `keep` values down over `drop` values is one step. */
export function isSingleMove(keep: number, drop: number): boolean {
  return drop <= 0 || (keep <= K && drop <= K);
}

/**
 * Steps of a taken branch (br, br_if, br_table) with `keep` results over `drop`
 * values: 1 when it fits in one step, else ceil(keep/K) steps moving the kept
 * values aside, ceil(drop/K) steps dropping, ceil(keep/K) steps moving them back.
 */
export function moveSteps(keep: number, drop: number): number {
  if (isSingleMove(keep, drop)) return 1;
  return 2 * Math.ceil(keep / K) + Math.ceil(drop / K);
}

/** Whether a return of `keep` results is one step. */
export function isSingleReturn(keep: number): boolean {
  return keep <= K;
}

/** Steps of a return of `keep` results: 1, or ceil(keep/K) steps aside (the last pops the frame) and ceil(keep/K) back. */
export function returnSteps(keep: number): number {
  return isSingleReturn(keep) ? 1 : 2 * Math.ceil(keep / K);
}

/** Whether a call with `nparams` parameters is one step. */
export function isSingleCall(nparams: number): boolean {
  return nparams <= K;
}

/** Steps of a call: 1, or one per aligned group of K params, ceil(nparams/K) (the last enters the callee). */
export function callSteps(nparams: number): number {
  return isSingleCall(nparams) ? 1 : Math.ceil(nparams / K);
}

/**
 * The group a call's next micro-step moves, given `moved` params already moved:
 * params [lo, hi) (hi = nparams - moved), group index g = lo / K.
 */
export function callGroup(nparams: number, moved: number): { g: number; lo: number; hi: number } {
  const hi = nparams - moved;
  const g = Math.floor((hi - 1) / K);
  return { g, lo: g * K, hi };
}

// ---- chunks of micro-stepped byte moves (spec/EXECUTION.md section 5, "Micro-stepped instructions")

const LEAF = spec.widths.leafBytes;

/**
 * Bytes of the first chunk of a move of n > 0 bytes from position s to position d: up to
 * the first 32-byte leaf boundary of either side (memory.fill: s = d). Positions are below
 * 2^33, exact as numbers.
 */
export function firstChunk(d: number, s: number, n: number): number {
  return Math.min(n, LEAF - (d % LEAF), LEAF - (s % LEAF));
}

/** Bytes of the last chunk of a move of n > 0 bytes (a backward move takes it first). */
export function lastChunk(d: number, s: number, n: number): number {
  return Math.min(n, ((d + n - 1) % LEAF) + 1, ((s + n - 1) % LEAF) + 1);
}

/**
 * Steps of a move of n bytes from position s to position d (memory.copy/init, input_read,
 * output_write; memory.fill: s = d): the number of chunks firstChunk cuts it into, 1 if n = 0.
 * In closed form, 1 + B(d, n) + B(s, n) less the boundaries the two sides share, where
 * B(x, n) counts the leaf boundaries strictly inside (x, x + n) (EXECUTION.md section 5); a
 * backward move (lastChunk first) takes as many steps. The native engine counts with it.
 */
export function byteMoveSteps(d: number, s: number, n: number): number {
  if (n === 0) return 1;
  const bd = leafBoundaries(d, n);
  return 1 + bd + (d % LEAF === s % LEAF ? 0 : leafBoundaries(s, n));
}

/**
 * Bytes moved by the first k chunks (1 <= k < byteMoveSteps(d, s, n)) of a forward move: the
 * k-th cut point. Each side's cut points are the arithmetic sequence of period 32 starting at
 * 32 - (x mod 32); their union has, per period, the smaller start then the larger one (one
 * point if they coincide). The native engine stops a move inside with it.
 */
export function byteMovePrefix(d: number, s: number, k: number): number {
  const a = LEAF - (d % LEAF);
  const b = LEAF - (s % LEAF);
  if (a === b) return a + LEAF * (k - 1);
  const q = Math.floor((k - 1) / 2);
  return LEAF * q + ((k - 1) % 2 === 0 ? Math.min(a, b) : Math.max(a, b));
}

/** B(x, n): leaf boundaries strictly inside (x, x + n), n > 0. */
function leafBoundaries(x: number, n: number): number {
  return Math.floor((x + n - 1) / LEAF) - Math.floor(x / LEAF);
}
