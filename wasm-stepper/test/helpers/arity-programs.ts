/**
 * Programs whose single instructions move many values (spec/EXECUTION.md section 5,
 * "Moves of many values"): a branch dropping N values below the kept one, a branch
 * keeping N values over N dropped ones, a return of N results, calls with N params.
 * Shared by the stepper's tests, the contracts' lockstep tests and the gas bench.
 */
import { VALUES_PER_STEP } from "../../src/micro.ts";

export const K = VALUES_PER_STEP;
/** The sizes every shape is tested at. */
export const ARITY_SIZES = [1, K, K + 1, 20_000];

const consts = (n: number, from: number) => Array.from({ length: n }, (_, i) => `(i32.const ${from + i})`).join(" ");
const i32s = (n: number) => Array(n).fill("i32").join(" ");

export interface ArityCall {
  name: string;
  /** The i32 results the call returns (all of them, in order). */
  results: number[];
}

export interface ArityProgram {
  shape: "br" | "move" | "return" | "call";
  n: number;
  wat: string;
  calls: ArityCall[];
}

/**
 * `br`: br, br_if and br_table out of a block of N constants below the kept one (keep 1, drop N).
 * `move`: br keeping N values over N dropped ones (keep N, drop N).
 * `return`: a function returning N results to a caller that has one value of its own.
 * `call`: call and call_indirect of a function of N params.
 */
export function arityProgram(shape: ArityProgram["shape"], n: number): ArityProgram {
  switch (shape) {
    case "br":
      return {
        shape,
        n,
        wat: `(module
  (func (export "br") (result i32) (block (result i32) ${consts(n, 1)} (i32.const 7) (br 0)))
  (func (export "br_if") (result i32) (block (result i32) ${consts(n, 1)} (i32.const 8) (i32.const 1) (br_if 0) unreachable))
  (func (export "br_table") (result i32) (block (result i32) (block (result i32) ${consts(n, 1)} (i32.const 9) (i32.const 1) (br_table 0 1 0))) (i32.const 1) i32.add))`,
        calls: [
          { name: "br", results: [7] },
          { name: "br_if", results: [8] },
          { name: "br_table", results: [10] },
        ],
      };
    case "move":
      return {
        shape,
        n,
        wat: `(module
  (func (export "move") (result ${i32s(n)}) (block (result ${i32s(n)}) ${consts(n, 1)} ${consts(n, n + 1)} (br 0))))`,
        calls: [{ name: "move", results: Array.from({ length: n }, (_, i) => n + 1 + i) }],
      };
    case "return":
      return {
        shape,
        n,
        wat: `(module
  (func $r (result ${i32s(n)}) ${consts(n, 1)})
  (func (export "ret") (result ${i32s(n + 1)}) (i32.const 5) (call $r)))`,
        calls: [{ name: "ret", results: [5, ...Array.from({ length: n }, (_, i) => 1 + i)] }],
      };
    case "call":
      return {
        shape,
        n,
        wat: `(module
  (type $t (func (param ${i32s(n)}) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $g)
  (func $g (type $t) (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get ${n - 1})))
  (func (export "call") (result i32) (i32.const 9) ${consts(n, 1)} (call $g) i32.add)
  (func (export "call_indirect") (result i32) (i32.const 9) ${consts(n, 1)} (call_indirect (type $t) (i32.const 0)) i32.add))`,
        calls: [
          { name: "call", results: [9 + 1000 + n] },
          { name: "call_indirect", results: [9 + 1000 + n] },
        ],
      };
  }
}

export const ARITY_SHAPES: ArityProgram["shape"][] = ["br", "move", "return", "call"];

/** The step at which the invocation's first move of many values starts (after its constant pushes). */
export function firstMoveStep(name: string, n: number): number {
  switch (name) {
    case "br":
      return 1 + (n + 1);
    case "br_if":
    case "br_table":
      return 1 + (n + 2);
    case "move":
      return 1 + 2 * n;
    case "ret":
      return 3 + n;
    case "call":
      return 2 + n;
    case "call_indirect":
      return 3 + n;
  }
  throw new Error(`no first move for ${name}`);
}
