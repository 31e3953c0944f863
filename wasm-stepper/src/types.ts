/** Public value and result types shared by the interpreter, the native engine and the CLI. */
import stateSpec from "../spec/state.json" with { type: "json" };

export type Status = "running" | "finished" | "trapped" | "out_of_steps";

export type TrapCode =
  | "unreachable"
  | "int_divide_by_zero"
  | "int_overflow"
  | "out_of_bounds_memory"
  | "out_of_bounds_table"
  | "indirect_call_null"
  | "indirect_call_type_mismatch"
  | "call_stack_exhausted"
  | "value_stack_exhausted"
  | "input_out_of_bounds"
  | "output_limit";

/** A typed Wasm value of the subset. i32 values are signed 32-bit numbers; i64 values signed BigInts. */
export type Value = { type: "i32"; value: number } | { type: "i64"; value: bigint };

/** Task limits: part of the task and of the machine state (spec/EXECUTION.md section 4). */
export interface Limits {
  maxSteps: number;
  maxMemoryPages: number;
  maxCallDepth: number;
  maxValueStack: number;
  maxOutputBytes: number;
}

/**
 * The limits in commitment order (spec/state.json `limits`: the staticHash words after
 * inputLength, and the Solidity `Limits` struct) with their largest allowed values.
 */
export const LIMIT_MAX: Readonly<Record<keyof Limits, number>> = Object.freeze({ ...stateSpec.limits });
export const LIMIT_NAMES = Object.keys(stateSpec.limits) as (keyof Limits)[];

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSteps: 2 ** 48,
  maxMemoryPages: 1024,
  maxCallDepth: 16384,
  maxValueStack: 1 << 20,
  maxOutputBytes: 1 << 20,
});

/** The outcome of running an invocation to a terminal state. */
export interface RunResult {
  status: Exclude<Status, "running">;
  /** Results of the invoked function (empty unless finished). */
  results: Value[];
  trap?: TrapCode;
  /** Output bytes written through task.output_write. */
  output: Uint8Array;
  /** Steps executed by this invocation. */
  steps: number;
}

/** Formats a value as the CLI prints it: "i32:<signed decimal>" / "i64:<signed decimal>". */
export function formatValue(v: Value): string {
  return `${v.type}:${v.type === "i32" ? String(v.value | 0) : BigInt.asIntN(64, v.value).toString()}`;
}
