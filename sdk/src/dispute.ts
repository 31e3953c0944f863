/**
 * The challenger's side of the dissection rules (contracts/src/game/DisputeGame.sol): which segment
 * to pick, and the range a pick leads to, so that daemons hold no protocol arithmetic of their own.
 */
import type { Hex } from "viem";
import { InvalidParameterError } from "./errors.js";

/**
 * The segment a challenger picks: the first whose END it disputes. `theirs` are the solver's k-1
 * interior hashes of [lo, hi], `mine` the challenger's at the same positions. The segments are
 * [lo, p0], [p0, p1], ..., [p_{k-2}, hi]: if every interior hash agrees, the dispute is in the last
 * segment (the challenger disputes hi itself).
 */
export function disputedSegment(theirs: readonly Hex[], mine: readonly Hex[]): number {
  if (theirs.length !== mine.length) throw new InvalidParameterError(`${theirs.length} hashes of the bisection against ${mine.length} of ours`);
  const i = theirs.findIndex((h, j) => h.toLowerCase() !== mine[j]!.toLowerCase());
  return i < 0 ? theirs.length : i;
}

/** The range [lo, hi] becomes after picking segment `index` of `segments` (the contract's own split). */
export function pickedRange(lo: bigint, hi: bigint, segments: number, index: number): { lo: bigint; hi: bigint } {
  const span = hi - lo;
  return { lo: lo + (span * BigInt(index)) / BigInt(segments), hi: lo + (span * BigInt(index + 1)) / BigInt(segments) };
}
