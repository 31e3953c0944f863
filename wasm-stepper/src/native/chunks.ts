/**
 * Chunk arithmetic of micro-stepped instructions (spec/EXECUTION.md section 5,
 * "Micro-stepped instructions"), for the JS side of the native engine (host
 * calls). The same formulas are emitted as Wasm helpers by instrument.ts.
 *
 * A move of n > 0 bytes from position s (source) to position d (destination)
 * is cut at every 32-byte leaf boundary of either side strictly inside the
 * range; each piece is one step. All positions are < 2^33, so plain numbers
 * are exact.
 */

export const LEAF = 32;

/** Leaf boundaries strictly inside (x, x+n), n > 0: B(x, n) of EXECUTION.md section 5. */
export function leafBoundaries(x: number, n: number): number {
  return Math.floor((x + n - 1) / LEAF) - Math.floor(x / LEAF);
}

/** Steps of a two-sided move (memory.copy/init, input_read, output_write): 1 if n = 0. */
export function chunks2(d: number, s: number, n: number): number {
  if (n === 0) return 1;
  const bd = leafBoundaries(d, n);
  const bs = leafBoundaries(s, n);
  return 1 + bd + bs - (d % LEAF === s % LEAF ? bd : 0);
}

/** Steps of a one-sided move (memory.fill): 1 if n = 0. */
export function chunks1(d: number, n: number): number {
  return n === 0 ? 1 : 1 + leafBoundaries(d, n);
}

/**
 * Offset (from the start of the range) of the k-th cut point, k >= 1, of a
 * two-sided move. Each side's cut points are an arithmetic sequence of period
 * 32 starting at 32 - (x mod 32) (in 1..32); the union of two such sequences
 * has, per period, the smaller start then the larger one (or one point if
 * they coincide).
 */
export function cutPoint2(d: number, s: number, k: number): number {
  const a = LEAF - (d % LEAF);
  const b = LEAF - (s % LEAF);
  if (a === b) return a + LEAF * (k - 1);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const q = Math.floor((k - 1) / 2);
  return LEAF * q + ((k - 1) % 2 === 0 ? lo : hi);
}

/** Bytes moved by the first k chunks (1 <= k < chunks2) of a forward two-sided move. */
export function prefixBytes2(d: number, s: number, k: number): number {
  return cutPoint2(d, s, k);
}

/** Bytes moved by the last k chunks (1 <= k < chunks2) of a backward two-sided move. */
export function suffixBytes2(d: number, s: number, n: number, k: number): number {
  return n - cutPoint2(d, s, chunks2(d, s, n) - k);
}

/** Bytes moved by the first k chunks (1 <= k < chunks1) of memory.fill. */
export function prefixBytes1(d: number, k: number): number {
  return LEAF - (d % LEAF) + LEAF * (k - 1);
}
