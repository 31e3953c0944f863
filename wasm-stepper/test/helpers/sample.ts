/**
 * Exhaustive sweeps and their samples. `npm test` runs every sweep (every step of a
 * program, every bit of a proof, every step limit, every corpus program) on a
 * deterministic sample that always holds the first, the last and the boundary
 * positions the caller names; `npm run test:full` (VWASM_FULL=1) runs all of them.
 * Shared with other packages' tests through `@vwasm/wasm-stepper/testing`.
 */

/** Whether the exhaustive sweeps run (`npm run test:full` sets VWASM_FULL=1). */
export const FULL_SWEEPS = process.env.VWASM_FULL === "1";

/** A 32-bit PRNG (mulberry32): the same seed gives the same sample on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A seed from a label, so each sweep draws its own sample. */
export function seedOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface SampleOptions {
  /** How many positions at least, besides the ones always kept (default 24). */
  size?: number;
  /** Positions always kept (out-of-range ones are ignored), e.g. chunk or group boundaries. */
  keep?: Iterable<number>;
  /** Seed of the draw (default: seedOf(label)). */
  seed?: number;
  /** Names the sweep; the default seed is derived from it. */
  label?: string;
  /** Run every position even without VWASM_FULL (a sweep already small enough). */
  full?: boolean;
}

/**
 * The positions lo..hi (inclusive) a sweep visits, ascending: all of them under
 * VWASM_FULL=1 (or `full`), else lo, lo + 1, hi - 1, hi, the `keep` positions and `size`
 * positions drawn by a seeded PRNG. Never empty when lo <= hi.
 */
export function sweep(lo: number, hi: number, opts: SampleOptions = {}): number[] {
  if (hi < lo) return [];
  const n = hi - lo + 1;
  const size = opts.size ?? 24;
  if (FULL_SWEEPS || opts.full || n <= size + 4) return Array.from({ length: n }, (_, i) => lo + i);
  const picked = new Set<number>([lo, lo + 1, hi - 1, hi]);
  for (const k of opts.keep ?? []) if (k >= lo && k <= hi) picked.add(k);
  const rnd = prng(opts.seed ?? seedOf(opts.label ?? `${lo}..${hi}`));
  for (let drawn = 0; drawn < size; ) {
    const x = lo + Math.floor(rnd() * n);
    if (!picked.has(x)) {
      picked.add(x);
      drawn++;
    }
  }
  return [...picked].sort((a, b) => a - b);
}

/** The items of `xs` at the positions sweep(0, xs.length - 1, opts) names. */
export function sampleOf<T>(xs: readonly T[], opts: SampleOptions = {}): T[] {
  return sweep(0, xs.length - 1, opts).map((i) => xs[i]!);
}
