/** Value constructors, formatting and result comparison for the stepper's tests. */
import type { RunResult, TrapCode, Value } from "../../src/types.ts";
import type { RefResult } from "./v8.ts";

export const i32 = (v: number): Value => ({ type: "i32", value: v | 0 });
export const i64 = (v: bigint | number): Value => ({ type: "i64", value: BigInt.asIntN(64, BigInt(v)) });

export const I32_MIN = -0x80000000;
export const I32_MAX = 0x7fffffff;
export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;

export function fmtValue(v: Value): string {
  return v.type === "i32" ? `i32:${v.value | 0}` : `i64:${BigInt.asIntN(64, v.value)}`;
}

export function fmtValues(vs: readonly Value[]): string {
  return `[${vs.map(fmtValue).join(", ")}]`;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

function fmtOutput(b: Uint8Array): string {
  if (b.length === 0) return "";
  const h = hex(b);
  return ` out(${b.length})=${h.length > 80 ? `${h.slice(0, 80)}...` : h}`;
}

export function fmtResult(r: RunResult | RefResult): string {
  const set = (r as RefResult).trapSet;
  if (r.status === "trapped") return `trapped ${set ? `{${set.join("|")}}` : r.trap}${fmtOutput(r.output)}`;
  if (r.status === "finished") return `finished ${fmtValues(r.results)}${fmtOutput(r.output)}`;
  return `${r.status}${fmtOutput(r.output)}`;
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (!a || !b || a.type !== b.type) return false;
  return a.type === "i32" ? (a.value | 0) === ((b.value as number) | 0) : BigInt.asIntN(64, a.value) === BigInt.asIntN(64, b.value as bigint);
}

export function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Differences between the machine's result and V8's (status, trap, results, output); undefined if none. */
export function diffRuns(actual: RunResult, ref: RefResult): string | undefined {
  const bad: string[] = [];
  if (actual.status !== ref.status) bad.push("status");
  else if (actual.status === "trapped") {
    const ok = ref.trapSet ? ref.trapSet.includes(actual.trap!) : actual.trap === ref.trap;
    if (!ok) bad.push("trap");
  } else if (!sameValues(actual.results, ref.results)) bad.push("results");
  if (!sameBytes(actual.output, ref.output)) bad.push("output");
  return bad.length ? `${bad.join("+")} differ` : undefined;
}

/** A hard expectation (derived from the WebAssembly spec / spec/EXECUTION.md). */
export interface Expectation {
  status?: RunResult["status"];
  results?: Value[];
  trap?: TrapCode;
  output?: Uint8Array;
  steps?: number;
}

export const ok = (...results: Value[]): Expectation => ({ status: "finished", results });
export const trap = (code: TrapCode): Expectation => ({ status: "trapped", trap: code });

export function fmtExpect(e: Expectation): string {
  const parts: string[] = [];
  if (e.status) parts.push(e.status);
  if (e.trap) parts.push(e.trap);
  if (e.results) parts.push(fmtValues(e.results));
  if (e.output) parts.push(`out=${hex(e.output)}`);
  if (e.steps !== undefined) parts.push(`steps=${e.steps}`);
  return parts.join(" ");
}

/** Differences between a result and a hard expectation; undefined if none. */
export function diffExpect(actual: RunResult | RefResult, e: Expectation): string | undefined {
  const bad: string[] = [];
  const status = e.status ?? (e.trap ? "trapped" : undefined);
  if (status && actual.status !== status) bad.push("status");
  if (e.trap) {
    const set = (actual as RefResult).trapSet;
    if (actual.trap !== e.trap && !(set && set.includes(e.trap))) bad.push("trap");
  }
  if (e.results && !sameValues(actual.results, e.results)) bad.push("results");
  if (e.output && !sameBytes(actual.output, e.output)) bad.push("output");
  if (e.steps !== undefined && actual.steps !== e.steps) bad.push(`steps (got ${actual.steps})`);
  return bad.length ? `${bad.join("+")} differ` : undefined;
}
