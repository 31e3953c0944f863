/**
 * i32 and i64 arithmetic, comparisons and conversions. Twin of OneStepProverNumeric.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { OPCODE_BITS, OPCODE_NAMES, OPCODE_OPERATORS } from "../../ir/opcodes.ts";
import { ProofError } from "../errors.ts";
import { StepState } from "./step-state.ts";
import type { TrapCode } from "../../types.ts";

/** Executes a numeric instruction; returns its trap code, if it traps. */
export function executeNumeric(m: StepState, op: number): TrapCode | undefined {
  const h = m.h;
  const num = numeric(op);
  if (num) {
    const args: bigint[] = [];
    for (let k = 0; k < num.arity; k++) args.push(m.pop());
    args.reverse();
    const r = num.fn(args);
    if (typeof r === "string") return r;
    m.push(r);
    h.pc++;
    return;
  }
  throw new ProofError("UnknownOpcode", `opcode ${op} (${OPCODE_NAMES[op] ?? "?"}) is not a numeric instruction`);
}


type NumFn = (x: bigint[]) => bigint | TrapCode;
const u = (bits: number, v: bigint) => BigInt.asUintN(bits, v);
const s = (bits: number, v: bigint) => BigInt.asIntN(bits, v);
const bool = (c: boolean) => (c ? 1n : 0n);
function clz(bits: number, v: bigint): bigint {
  let n = 0n;
  for (let i = bits - 1; i >= 0 && ((v >> BigInt(i)) & 1n) === 0n; i--) n++;
  return n;
}
function ctz(bits: number, v: bigint): bigint {
  let n = 0n;
  for (let i = 0; i < bits && ((v >> BigInt(i)) & 1n) === 0n; i++) n++;
  return n;
}
function popcnt(v: bigint): bigint {
  let n = 0n;
  for (; v > 0n; v >>= 1n) n += v & 1n;
  return n;
}
function rotl(bits: number, v: bigint, k: bigint): bigint {
  const r = k % BigInt(bits);
  return u(bits, (v << r) | (v >> ((BigInt(bits) - r) % BigInt(bits))));
}
function intOps(bits: number) {
  const B = BigInt(bits);
  const min = -(1n << (B - 1n));
  const ops: Record<string, [number, NumFn]> = {
    eqz: [1, ([x]) => bool(x === 0n)],
    eq: [2, ([x, y]) => bool(x === y)],
    ne: [2, ([x, y]) => bool(x !== y)],
    lt_s: [2, ([x, y]) => bool(s(bits, x!) < s(bits, y!))],
    lt_u: [2, ([x, y]) => bool(x! < y!)],
    gt_s: [2, ([x, y]) => bool(s(bits, x!) > s(bits, y!))],
    gt_u: [2, ([x, y]) => bool(x! > y!)],
    le_s: [2, ([x, y]) => bool(s(bits, x!) <= s(bits, y!))],
    le_u: [2, ([x, y]) => bool(x! <= y!)],
    ge_s: [2, ([x, y]) => bool(s(bits, x!) >= s(bits, y!))],
    ge_u: [2, ([x, y]) => bool(x! >= y!)],
    clz: [1, ([x]) => clz(bits, x!)],
    ctz: [1, ([x]) => ctz(bits, x!)],
    popcnt: [1, ([x]) => popcnt(x!)],
    add: [2, ([x, y]) => u(bits, x! + y!)],
    sub: [2, ([x, y]) => u(bits, x! - y!)],
    mul: [2, ([x, y]) => u(bits, x! * y!)],
    div_s: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : s(bits, x!) === min && s(bits, y!) === -1n ? "int_overflow" : u(bits, s(bits, x!) / s(bits, y!)))],
    div_u: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : x! / y!)],
    rem_s: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : u(bits, s(bits, x!) % s(bits, y!)))],
    rem_u: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : x! % y!)],
    and: [2, ([x, y]) => x! & y!],
    or: [2, ([x, y]) => x! | y!],
    xor: [2, ([x, y]) => x! ^ y!],
    shl: [2, ([x, y]) => u(bits, x! << (y! % B))],
    shr_s: [2, ([x, y]) => u(bits, s(bits, x!) >> (y! % B))],
    shr_u: [2, ([x, y]) => x! >> (y! % B)],
    rotl: [2, ([x, y]) => rotl(bits, x!, y!)],
    rotr: [2, ([x, y]) => rotl(bits, x!, B - (y! % B))],
    extend8_s: [1, ([x]) => u(bits, s(8, x!))],
    extend16_s: [1, ([x]) => u(bits, s(16, x!))],
    extend32_s: [1, ([x]) => u(bits, s(32, x!))],
  };
  return ops;
}
const NUMERIC: Map<number, { arity: number; fn: NumFn }> = new Map();
{
  const ops32 = intOps(32);
  const ops64 = intOps(64);
  // spec/opcodes.json names each numeric opcode's operator and width (as the Solidity generator reads them).
  OPCODE_OPERATORS.forEach((operator, op) => {
    if (!operator) return;
    const e = (OPCODE_BITS[op] === 32 ? ops32 : ops64)[operator];
    if (e) NUMERIC.set(op, { arity: e[0], fn: e[1] });
  });
  NUMERIC.set(Op.I32_WRAP_I64, { arity: 1, fn: ([x]) => u(32, x!) });
  NUMERIC.set(Op.I64_EXTEND_I32_S, { arity: 1, fn: ([x]) => u(64, s(32, x!)) });
  NUMERIC.set(Op.I64_EXTEND_I32_U, { arity: 1, fn: ([x]) => x! });
}
function numeric(op: number): { arity: number; fn: NumFn } | undefined {
  return NUMERIC.get(op);
}

