/**
 * The instantiation checks both engines make, in the same order and words, so
 * that a module or input a task cannot hold fails the same way on the
 * interpreter and on the native engine (typed `limit` / `usage` errors, before
 * anything proportional to the module's declarations is allocated).
 */
import stateSpec from "../spec/state.json" with { type: "json" };
import { StepperError, UsageError } from "./errors.ts";
import type { Module } from "./module.ts";
import type { Limits } from "./types.ts";

import { MAX_INPUT } from "./machine/limits.ts";
export { MAX_INPUT };
/**
 * Largest `maxTableEntries` a task may set: 2^20, below V8's own table size
 * limit (10^7, so every table the interpreter accepts the native engine can
 * instantiate too) and small enough that the state commitment's table tree
 * (64 bytes an entry, built once, then updated entry by entry) stays cheap.
 * The value is spec/state.json `limits.maxTableEntries` (the task market checks it on-chain too).
 */
export const MAX_TABLE_ENTRIES: number = stateSpec.limits.maxTableEntries;
/**
 * Largest `maxOutputBytes` a task may set: 64 MiB, whose hex form (the CLI's
 * JSON) stays far below V8's string length limit.
 */
export const MAX_OUTPUT_BYTES: number = stateSpec.limits.maxOutputBytes;

/**
 * Largest module the loader accepts, binary or text (bytes): every structure the
 * decoder and compiler build is bounded by a multiple of the module's size.
 */
export const MAX_MODULE_BYTES = 64 << 20;

/** Throws unless the module's memory and table and the input fit the task's limits. */
export function checkInstanceFits(m: Module, limits: Limits, input: Uint8Array): void {
  if (input.length > MAX_INPUT)
    throw new UsageError(`the task input is ${input.length} bytes; at most ${MAX_INPUT} bytes (32 MiB) are supported`);
  if (m.memory && m.memory.min > limits.maxMemoryPages)
    throw new StepperError("limit", `the module needs ${m.memory.min} memory pages, above the task limit maxMemoryPages=${limits.maxMemoryPages}`);
  if (m.table && m.table.min > limits.maxTableEntries)
    throw new StepperError("limit", `the module's table has ${m.table.min} entries, above the task limit maxTableEntries=${limits.maxTableEntries}`, { section: "table" });
}
