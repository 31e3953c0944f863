// Big-integer workload: n! with 32-bit limbs (64-bit products), converted to
// decimal by repeated long division by 10^9.
// Task input: n as ASCII decimal digits (other bytes ignored; empty: n = 100),
// capped at 3000. Task output: the decimal digits of n!.
// Plain exports: factorialDigits(n) = number of decimal digits of n!,
// factorialLimbs(n) = number of 32-bit limbs, mulSmall(a, b) = low 64 bits of
// the 64x64 product via 32-bit limbs (checks against i64.mul), fib64(n).
import { input_size, readInput, output_write } from "./task";

/** Multiplies the limb vector (length len) by m in place; returns the new length. */
function mulLimbs(a: usize, len: u32, m: u32): u32 {
  let carry: u64 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const p = a + (<usize>i << 2);
    const t: u64 = <u64>load<u32>(p) * <u64>m + carry;
    store<u32>(p, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    store<u32>(a + (<usize>len << 2), <u32>carry);
    len++;
  }
  return len;
}

/** Divides the limb vector by d in place; returns the remainder. */
function divLimbs(a: usize, len: u32, d: u32): u32 {
  let rem: u64 = 0;
  let i = len;
  while (i > 0) {
    i--;
    const p = a + (<usize>i << 2);
    const cur: u64 = (rem << 32) | <u64>load<u32>(p);
    store<u32>(p, <u32>(cur / <u64>d));
    rem = cur % <u64>d;
  }
  return <u32>rem;
}

function factorial(n: u32, a: usize): u32 {
  store<u32>(a, 1);
  let len: u32 = 1;
  for (let k: u32 = 2; k <= n; k++) len = mulLimbs(a, len, k);
  return len;
}

// Enough limbs for 3000! (about 9131 digits, 950 limbs).
@inline const MAX_LIMBS: u32 = 1200;

/** Writes the decimal form of the limb vector to out; returns the digit count. Destroys a. */
function toDecimal(a: usize, len: u32, out: usize): u32 {
  // Chunks of 9 digits, least significant first.
  const chunks = heap.alloc(MAX_LIMBS * 2 * 4);
  let nchunks: u32 = 0;
  while (len > 0) {
    store<u32>(chunks + (<usize>nchunks << 2), divLimbs(a, len, 1000000000));
    nchunks++;
    while (len > 0 && load<u32>(a + (<usize>(len - 1) << 2)) == 0) len--;
  }
  if (nchunks == 0) {
    store<u8>(out, 0x30);
    return 1;
  }
  let n: u32 = 0;
  // Most significant chunk without leading zeros.
  let top = load<u32>(chunks + (<usize>(nchunks - 1) << 2));
  const tmp = out + MAX_LIMBS * 10 + 16;
  let t: u32 = 0;
  do {
    store<u8>(tmp + t, <u8>(0x30 + top % 10));
    top /= 10;
    t++;
  } while (top != 0);
  while (t > 0) {
    t--;
    store<u8>(out + n, load<u8>(tmp + t));
    n++;
  }
  let c = nchunks - 1;
  while (c > 0) {
    c--;
    let v = load<u32>(chunks + (<usize>c << 2));
    for (let k: i32 = 8; k >= 0; k--) {
      store<u8>(out + n + <u32>k, <u8>(0x30 + v % 10));
      v /= 10;
    }
    n += 9;
  }
  return n;
}

function decimalOfFactorial(n: u32, out: usize): u32 {
  const a = heap.alloc(MAX_LIMBS * 4);
  const len = factorial(n, a);
  return toDecimal(a, len, out);
}

export function factorialLimbs(n: u32): u32 {
  if (n > 3000) n = 3000;
  const a = heap.alloc(MAX_LIMBS * 4);
  return factorial(n, a);
}

export function factorialDigits(n: u32): u32 {
  if (n > 3000) n = 3000;
  const out = heap.alloc(MAX_LIMBS * 10 + 64);
  return decimalOfFactorial(n, out);
}

export function mulSmall(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const lo = a0 * b0;
  const mid = a1 * b0 + a0 * b1;
  const r = lo + (mid << 32);
  if (r != a * b) unreachable();
  return r;
}

export function fib64(n: u32): u64 {
  let a: u64 = 0;
  let b: u64 = 1;
  for (let i: u32 = 0; i < n; i++) {
    const t = a + b;
    a = b;
    b = t;
  }
  return a;
}

export function run(): void {
  const size = input_size();
  const inp = readInput();
  let n: u32 = 0;
  let any = false;
  for (let i: u32 = 0; i < size; i++) {
    const c = load<u8>(inp + i);
    if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      if (n > 3000) n = 3000;
      any = true;
    }
  }
  if (!any) n = 100;
  const out = heap.alloc(MAX_LIMBS * 10 + 64);
  const len = decimalOfFactorial(n, out);
  output_write(out, len);
}
