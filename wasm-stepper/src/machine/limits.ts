/**
 * The machine's sizes and the checks of task limits and invocations, shared by the
 * interpreter (src/machine.ts) and the native engine (src/native/), so both reject bad
 * calls with the same words.
 */
import stateSpec from "../../spec/state.json" with { type: "json" };
import { MAX_PAGES } from "../decode/decode.ts";
import { UsageError } from "../errors.ts";
import { MAX_INPUT_BYTES } from "../merkle/input.ts";
import { I32, type FuncType } from "../module.ts";
import { LIMIT_MAX, LIMIT_NAMES, type Limits, type RunResult, type Value } from "../types.ts";

/** Bytes of a Wasm page (spec/state.json widths.pageBytes). */
export const PAGE_SIZE = stateSpec.widths.pageBytes;
/** Memory and input are committed in 32-byte leaves (EXECUTION.md section 5). */
export const LEAF_SIZE = stateSpec.widths.leafBytes;
/** The most pages a 32-bit memory can have (WebAssembly 2.0; the decoder checks it). */
export { MAX_PAGES };
/** Largest task input: 2^maxInputTreeDepth leaves of 32 bytes (spec/state.json). */
export const MAX_INPUT = MAX_INPUT_BYTES;

/** Checks an invocation of export `name` of type `type`. */
export function checkInvocation(name: string, type: FuncType, args: Value[], startResult: RunResult | undefined): void {
  if (startResult && startResult.status !== "finished")
    throw new UsageError(`the start function did not finish (${startResult.status}${startResult.trap ? `: ${startResult.trap}` : ""}); the instance is unusable`);
  if (args.length !== type.params.length) throw new UsageError(`export "${name}" takes ${type.params.length} argument(s), got ${args.length}`);
  args.forEach((a, i) => {
    const want = type.params[i] === I32 ? "i32" : "i64";
    if (a.type !== want) throw new UsageError(`argument ${i} of "${name}" must be ${want}, got ${a.type}`);
  });
}

/** Validates task limits (shared by the interpreter and the native engine). */
export function checkLimits(l: Limits): Limits {
  // The bounds are spec/state.json `limits` (the task market checks the same ones on-chain).
  for (const name of LIMIT_NAMES) {
    const v = l[name];
    const max = LIMIT_MAX[name];
    if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new UsageError(`limit ${name} must be an integer in [0, ${max}], got ${v}`);
  }
  return l;
}
