// Arithmetic expression evaluator over the task input (64-bit integers).
// The input is a list of expressions separated by ';' or newlines. Grammar:
//   expr  := xor ('|' xor)*         xor := and ('^' and)*
//   and   := shift ('&' shift)*     shift := sum (('<<' | '>>') sum)*
//   sum   := prod (('+' | '-') prod)*
//   prod  := unary (('*' | '/' | '%') unary)*
//   unary := '-' unary | '~' unary | atom
//   atom  := decimal | '0x' hex | '(' expr ')'
// Arithmetic wraps modulo 2^64; '/' and '%' are i64.div_s / i64.rem_s, so a
// division by zero (or MIN / -1) TRAPS, after the lines before it were written.
// Task output: one line per expression, the decimal value or "error at <pos>".
// Binary operators are dispatched through a function table (call_indirect).
// Plain exports: apply(op, a, b) applies the operator with ASCII code op
// (unknown op: unreachable), digits(v) = length of the decimal form of v.
import { input_size, readInput, output_write } from "./task";

type BinOp = (a: i64, b: i64) => i64;

function opAdd(a: i64, b: i64): i64 { return a + b; }
function opSub(a: i64, b: i64): i64 { return a - b; }
function opMul(a: i64, b: i64): i64 { return a * b; }
function opDiv(a: i64, b: i64): i64 { return a / b; }
function opRem(a: i64, b: i64): i64 { return a % b; }
function opAnd(a: i64, b: i64): i64 { return a & b; }
function opOr(a: i64, b: i64): i64 { return a | b; }
function opXor(a: i64, b: i64): i64 { return a ^ b; }
function opShl(a: i64, b: i64): i64 { return a << b; }
function opShr(a: i64, b: i64): i64 { return a >> b; }

// The operator table lives in linear memory as function-table indices.
@inline const OPS_LEN: i32 = 10;
let opTable: usize = 0;

function initOps(): void {
  if (opTable != 0) return;
  opTable = heap.alloc(OPS_LEN << 2);
  store<u32>(opTable, load<u32>(changetype<usize>(opAdd)), 0);
  store<u32>(opTable, load<u32>(changetype<usize>(opSub)), 4);
  store<u32>(opTable, load<u32>(changetype<usize>(opMul)), 8);
  store<u32>(opTable, load<u32>(changetype<usize>(opDiv)), 12);
  store<u32>(opTable, load<u32>(changetype<usize>(opRem)), 16);
  store<u32>(opTable, load<u32>(changetype<usize>(opAnd)), 20);
  store<u32>(opTable, load<u32>(changetype<usize>(opOr)), 24);
  store<u32>(opTable, load<u32>(changetype<usize>(opXor)), 28);
  store<u32>(opTable, load<u32>(changetype<usize>(opShl)), 32);
  store<u32>(opTable, load<u32>(changetype<usize>(opShr)), 36);
}

function opIndex(op: i32): i32 {
  switch (op) {
    case 0x2b: return 0; // +
    case 0x2d: return 1; // -
    case 0x2a: return 2; // *
    case 0x2f: return 3; // /
    case 0x25: return 4; // %
    case 0x26: return 5; // &
    case 0x7c: return 6; // |
    case 0x5e: return 7; // ^
    case 0x3c: return 8; // << (first char)
    case 0x3e: return 9; // >>
    default: return -1;
  }
}

function callOp(idx: i32, a: i64, b: i64): i64 {
  initOps();
  const fidx = load<u32>(opTable + (<usize>idx << 2));
  return call_indirect<i64>(fidx, a, b);
}

export function apply(op: i32, a: i64, b: i64): i64 {
  const idx = opIndex(op);
  if (idx < 0) unreachable();
  return callOp(idx, a, b);
}

// ---- parser state ----
let src: usize = 0;
let pos: u32 = 0;
let end: u32 = 0;
let failed: bool = false;
let failPos: u32 = 0;

function peek(): i32 {
  return pos < end ? <i32>load<u8>(src + pos) : -1;
}

function skipSpaces(): void {
  while (pos < end) {
    const c = load<u8>(src + pos);
    if (c == 0x20 || c == 0x09 || c == 0x0d) pos++;
    else break;
  }
}

function fail(): i64 {
  if (!failed) {
    failed = true;
    failPos = pos;
  }
  return 0;
}

function atom(): i64 {
  skipSpaces();
  const c = peek();
  if (c == 0x28) {
    pos++;
    const v = expr();
    skipSpaces();
    if (peek() != 0x29) return fail();
    pos++;
    return v;
  }
  if (c >= 0x30 && c <= 0x39) {
    let v: i64 = 0;
    if (c == 0x30 && pos + 1 < end && (load<u8>(src + pos + 1) | 0x20) == 0x78) {
      pos += 2;
      let any = false;
      for (;;) {
        const h = peek();
        let d: i32 = -1;
        if (h >= 0x30 && h <= 0x39) d = h - 0x30;
        else if ((h | 0x20) >= 0x61 && (h | 0x20) <= 0x66) d = (h | 0x20) - 0x61 + 10;
        if (d < 0) break;
        v = (v << 4) | <i64>d;
        pos++;
        any = true;
      }
      if (!any) return fail();
      return v;
    }
    while (peek() >= 0x30 && peek() <= 0x39) {
      v = v * 10 + <i64>(peek() - 0x30);
      pos++;
    }
    return v;
  }
  return fail();
}

function unary(): i64 {
  skipSpaces();
  const c = peek();
  if (c == 0x2d) {
    pos++;
    return -unary();
  }
  if (c == 0x7e) {
    pos++;
    return ~unary();
  }
  return atom();
}

// Precedence levels, lowest first: | ^ & shift sum prod.
function level(l: i32): i64 {
  if (l == 6) return unary();
  let v = level(l + 1);
  while (!failed) {
    skipSpaces();
    const c = peek();
    let ok = false;
    let width: u32 = 1;
    if (l == 0) ok = c == 0x7c;
    else if (l == 1) ok = c == 0x5e;
    else if (l == 2) ok = c == 0x26;
    else if (l == 3) {
      if ((c == 0x3c || c == 0x3e) && pos + 1 < end && <i32>load<u8>(src + pos + 1) == c) {
        ok = true;
        width = 2;
      }
    } else if (l == 4) ok = c == 0x2b || c == 0x2d;
    else ok = c == 0x2a || c == 0x2f || c == 0x25;
    if (!ok) return v;
    pos += width;
    const rhs = level(l + 1);
    if (failed) return 0;
    v = callOp(opIndex(c), v, rhs);
  }
  return 0;
}

function expr(): i64 {
  return level(0);
}

// ---- output ----
let outBuf: usize = 0;

/** Writes the decimal form of v to p; returns the length. */
function itoa(p: usize, v: i64): u32 {
  let u: u64 = v < 0 ? <u64>0 - <u64>v : <u64>v;
  let n: u32 = 0;
  const tmp = p + 24;
  do {
    store<u8>(tmp + n, <u8>(0x30 + <u32>(u % 10)));
    u /= 10;
    n++;
  } while (u != 0);
  let len: u32 = 0;
  if (v < 0) {
    store<u8>(p, 0x2d);
    len = 1;
  }
  while (n > 0) {
    n--;
    store<u8>(p + len, load<u8>(tmp + n));
    len++;
  }
  return len;
}

export function digits(v: i64): i32 {
  if (outBuf == 0) outBuf = heap.alloc(64);
  return <i32>itoa(outBuf, v);
}

function writeLine(v: i64): void {
  let len: u32;
  if (failed) {
    // "error at <pos>"
    store<u64>(outBuf, 0x6120726f727265); // "error a"
    store<u8>(outBuf + 7, 0x74); // "t"
    store<u8>(outBuf + 8, 0x20);
    len = 9 + itoa(outBuf + 9, <i64>failPos);
  } else {
    len = itoa(outBuf, v);
  }
  store<u8>(outBuf + len, 0x0a);
  output_write(outBuf, len + 1);
}

export function run(): void {
  const n = input_size();
  src = readInput();
  if (outBuf == 0) outBuf = heap.alloc(64);
  let start: u32 = 0;
  while (start < n) {
    let stop = start;
    while (stop < n) {
      const c = load<u8>(src + stop);
      if (c == 0x3b || c == 0x0a) break;
      stop++;
    }
    pos = start;
    end = stop;
    failed = false;
    // Skip empty expressions.
    skipSpaces();
    if (pos < end) {
      const v = expr();
      skipSpaces();
      if (!failed && pos != end) fail();
      writeLine(v);
    }
    start = stop + 1;
  }
}
