/**
 * The corpus of real programs for the differential tests (and benchmarks):
 * each program with task inputs, plain-export calls, and, where one exists,
 * an independent JS oracle for the task output.
 *
 * Programs live under examples/ (committed .wasm next to the source, rebuilt
 * by scripts/build-corpus.ts) and test/corpus/ (WAT, assembled at test time).
 */
import { readFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Limits, TrapCode, Value } from "../../src/types.ts";
import { i32, i64 } from "../helpers/compare.ts";
import { wat } from "../helpers/wat.ts";

export const PKG_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface TaskCase {
  label: string;
  input: Uint8Array;
  limits?: Partial<Limits>;
  /** Expected output (independent oracle) when the task finishes. */
  output?: Uint8Array;
  /** Expected trap, when the case is meant to trap. */
  trap?: TrapCode;
}

export interface CallCase {
  name: string;
  args: Value[];
  /** Expected results (independent oracle), if known. */
  results?: Value[];
  trap?: TrapCode;
}

export interface CorpusProgram {
  name: string;
  /** Source path relative to the package root. */
  source: string;
  /** Committed binary (relative to the package root), or undefined for WAT assembled at test time. */
  wasm?: string;
  tasks: TaskCase[];
  calls: CallCase[];
}

/** The bytes of a corpus program. */
export async function corpusBytes(p: CorpusProgram): Promise<Uint8Array> {
  if (p.wasm) return new Uint8Array(readFileSync(join(PKG_ROOT, p.wasm)));
  return wat(readFileSync(join(PKG_ROOT, p.source), "utf8"), p.source);
}

// ---- oracles ----

const enc = (s: string) => new TextEncoder().encode(s);
const u32le = (...vs: number[]) => {
  const b = new Uint8Array(vs.length * 4);
  const dv = new DataView(b.buffer);
  vs.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return b;
};
const i64le = (...vs: bigint[]) => {
  const b = new Uint8Array(vs.length * 8);
  const dv = new DataView(b.buffer);
  vs.forEach((v, i) => dv.setBigInt64(i * 8, BigInt.asIntN(64, v), true));
  return b;
};
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) & 255);

function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** examples/as/sort.ts: the generated values, sorted; output fields. */
function sortOracle(input: Uint8Array): Uint8Array {
  let n = 1000;
  let seed = 0;
  if (input.length >= 8) {
    const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    n = dv.getUint32(0, true);
    seed = dv.getUint32(4, true);
  } else {
    for (const b of input) seed = (seed + b) >>> 0;
  }
  if (n > 200000) n = 200000;
  const a = new Int32Array(n);
  let x = seed === 0 ? 0x9e3779b9 : seed;
  for (let i = 0; i < n; i++) {
    x = xorshift32(x);
    a[i] = (i & 7) === 0 ? (x % 16) - 8 : x | 0;
  }
  a.sort();
  const bytesOf = new Uint8Array(a.buffer);
  let h = 0x811c9dc5;
  for (const b of bytesOf) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return u32le(n, h, n ? a[0]! : 0, n ? a[n - 1]! : 0, n ? a[n >> 1]! : 0);
}

function sortChecksum(n: number, seed: number): number {
  const input = new Uint8Array(8);
  const dv = new DataView(input.buffer);
  dv.setUint32(0, n, true);
  dv.setUint32(4, seed, true);
  return new DataView(sortOracle(input).buffer).getInt32(4, true);
}

function factorial(n: number): bigint {
  let r = 1n;
  for (let k = 2n; k <= BigInt(n); k++) r *= k;
  return r;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function xorshiftBench(n: number): number {
  let x = 0x9e3779b9 | 0;
  let acc = 0x12345678 | 0;
  for (let i = 0; i < n >>> 0; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (((acc << 5) | (acc >>> 27)) + Math.imul(x ^ i, 0x01000193)) | 0;
  }
  return (acc ^ x) | 0;
}

function sieveBench(n: number): { checksum: number; count: number } {
  n = Math.min(n >>> 0, 1048576);
  const flags = new Uint8Array(n).fill(1);
  for (let i = 2; i * i <= n; i++) if (flags[i]) for (let j = i * i; j < n; j += i) flags[j] = 0;
  let count = 0;
  let sum = 0;
  for (let i = 2; i < n; i++)
    if (flags[i]) {
      count++;
      sum = (sum + i) | 0;
    }
  return { checksum: (Math.imul(count, 0x9e3779b1) + sum) | 0, count };
}

const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

// ---- the corpus ----

const sample = bytes(3000, (i) => i * 31 + (i >> 5) * 7);

export const CORPUS: CorpusProgram[] = [
  {
    name: "sha256",
    source: "examples/as/sha256.ts",
    wasm: "examples/as/sha256.wasm",
    tasks: [0, 1, 55, 56, 63, 64, 65, 119, 200, 1000, 3000].map((n) => {
      const input = sample.subarray(0, n);
      return { label: `${n} bytes`, input, output: new Uint8Array(createHash("sha256").update(input).digest()) };
    }),
    calls: [
      ...[0, 3, 64, 100, 500].map((n) => ({
        name: "sha256Pattern",
        args: [i32(n)],
        results: [i32(createHash("sha256").update(bytes(n, (i) => i * 7 + 3)).digest().readInt32BE(0))],
      })),
      { name: "rotr", args: [i32(1), i32(1)], results: [i32(-0x80000000)] },
      { name: "rotr", args: [i32(0x12345678), i32(36)], results: [i32(0x81234567 | 0)] },
    ],
  },
  {
    name: "sort",
    source: "examples/as/sort.ts",
    wasm: "examples/as/sort.wasm",
    tasks: [
      { label: "default (short input)", input: enc("seed") },
      { label: "empty input", input: new Uint8Array(0) },
      { label: "n=0", input: u32le(0, 5) },
      { label: "n=1", input: u32le(1, 5) },
      { label: "n=13", input: u32le(13, 99) },
      { label: "n=2000", input: u32le(2000, 0xdeadbeef) },
      { label: "n=3000 seed 0", input: u32le(3000, 0) },
      // memory.grow fails under a tight page limit: the allocator traps (unreachable)
      { label: "n=200000, maxMemoryPages 2", input: u32le(200000, 1), limits: { maxMemoryPages: 2 }, trap: "unreachable" as TrapCode },
    ].map((t) => (t.trap ? t : { ...t, output: sortOracle(t.input) })),
    calls: [
      ...[[0, 1], [1, 1], [50, 7], [500, 123456]].map(([n, s]) => ({
        name: "quicksortChecksum",
        args: [i32(n!), i32(s!)],
        results: [i32(sortChecksum(n!, s!))],
      })),
      ...[[2, 3], [333, 9]].map(([n, s]) => ({ name: "mergesortChecksum", args: [i32(n!), i32(s!)], results: [i32(sortChecksum(n!, s!))] })),
      { name: "xorshift", args: [i32(1)], results: [i32(xorshift32(1))] },
      { name: "xorshift", args: [i32(-1)], results: [i32(xorshift32(0xffffffff))] },
      { name: "partitionOf", args: [i32(100), i32(42)] },
    ],
  },
  {
    name: "expr",
    source: "examples/as/expr.ts",
    wasm: "examples/as/expr.wasm",
    tasks: [
      { label: "arithmetic", input: enc("1+2*3;(1+2)*3\n-7/2; -7%2 ; 1<<63; 0xff & 0x0f | 0x100 ^ 3; ~0"), output: enc("7\n9\n-3\n-1\n-9223372036854775808\n271\n-1\n") },
      { label: "wraparound", input: enc("9223372036854775807+1; 0x7fffffffffffffff * 2; -(0-9223372036854775807-1)"), output: enc("-9223372036854775808\n-2\n-9223372036854775808\n") },
      { label: "shifts", input: enc("1>>1;-8>>1; 1<<64; 1<<65; -1>>70"), output: enc("0\n-4\n1\n2\n-1\n") },
      { label: "syntax errors", input: enc("2*(3\n1 2\n)\n0x\n5"), output: enc("error at 4\nerror at 7\nerror at 9\nerror at 13\n5\n") },
      { label: "empty lines", input: enc(";;\n\n ; 42 ;"), output: enc("42\n") },
      { label: "empty input", input: new Uint8Array(0), output: new Uint8Array(0) },
      { label: "division by zero traps after earlier output", input: enc("1+1; 10/(5-5); 3"), trap: "int_divide_by_zero", output: enc("2\n") },
      { label: "MIN / -1 traps", input: enc("(-9223372036854775807-1) / -1"), trap: "int_overflow" },
      { label: "MIN % -1 = 0", input: enc("(-9223372036854775807-1) % -1"), output: enc("0\n") },
      { label: "nested parentheses", input: enc(`${"(".repeat(60)}1${")".repeat(60)}+1`), output: enc("2\n") },
      { label: "many expressions", input: enc(Array.from({ length: 200 }, (_, i) => `${i}*${i}-${i}`).join(";")), output: enc(Array.from({ length: 200 }, (_, i) => `${i * i - i}\n`).join("")) },
    ],
    calls: [
      { name: "apply", args: [i32(0x2b), i64(5n), i64(-7n)], results: [i64(-2n)] },
      { name: "apply", args: [i32(0x2a), i64(1n << 40n), i64(1n << 30n)], results: [i64(BigInt.asIntN(64, 1n << 70n))] },
      { name: "apply", args: [i32(0x2f), i64(-7n), i64(2n)], results: [i64(-3n)] },
      { name: "apply", args: [i32(0x2f), i64(5n), i64(0n)], trap: "int_divide_by_zero" },
      { name: "apply", args: [i32(0x2f), i64(-(2n ** 63n)), i64(-1n)], trap: "int_overflow" },
      { name: "apply", args: [i32(0x25), i64(-(2n ** 63n)), i64(-1n)], results: [i64(0n)] },
      { name: "apply", args: [i32(0x3c), i64(1n), i64(65n)], results: [i64(2n)] },
      { name: "apply", args: [i32(0x3e), i64(-(2n ** 63n)), i64(63n)], results: [i64(-1n)] },
      { name: "apply", args: [i32(0x21), i64(1n), i64(1n)], trap: "unreachable" },
      { name: "digits", args: [i64(-(2n ** 63n))], results: [i32(20)] },
      { name: "digits", args: [i64(0n)], results: [i32(1)] },
      { name: "digits", args: [i64(2n ** 63n - 1n)], results: [i32(19)] },
    ],
  },
  {
    name: "bigint",
    source: "examples/as/bigint.ts",
    wasm: "examples/as/bigint.wasm",
    tasks: [
      ...["", "0", "1", "20", "35", "100", "250", "n=171 please", "99999"].map((s) => {
        const digits = s.replace(/\D/g, "");
        const n = digits === "" ? 100 : Math.min(3000, Number(digits));
        return { label: JSON.stringify(s), input: enc(s), output: enc(factorial(n).toString()) };
      }),
      { label: "output over maxOutputBytes", input: enc("100"), limits: { maxOutputBytes: 100 }, trap: "output_limit" as TrapCode },
    ],
    calls: [
      { name: "factorialDigits", args: [i32(0)], results: [i32(1)] },
      { name: "factorialDigits", args: [i32(200)], results: [i32(factorial(200).toString().length)] },
      { name: "factorialLimbs", args: [i32(100)], results: [i32(Math.ceil(factorial(100).toString(16).length / 8))] },
      { name: "mulSmall", args: [i64(-3n), i64(0x123456789n)], results: [i64(-3n * 0x123456789n)] },
      { name: "mulSmall", args: [i64(-1n), i64(-1n)], results: [i64(1n)] },
      { name: "mulSmall", args: [i64(0xffffffffn), i64(0xffffffffn)], results: [i64(BigInt.asIntN(64, 0xffffffffn * 0xffffffffn))] },
      { name: "fib64", args: [i32(90)], results: [i64(2880067194370816120n)] },
      { name: "fib64", args: [i32(100)], results: [i64(BigInt.asIntN(64, 354224848179261915075n))] },
    ],
  },
  {
    name: "crc32",
    source: "examples/as/crc32.ts",
    wasm: "examples/as/crc32.wasm",
    tasks: [0, 1, 9, 100, 1000, 6000].map((n) => {
      const input = sample.subarray(0, n);
      const out = u32le(zlib.crc32(input), adler32(input));
      return { label: `${n} bytes`, input, output: out };
    }),
    calls: [
      { name: "crc32Pattern", args: [i32(0)], results: [i32(0)] },
      { name: "crc32Pattern", args: [i32(1000)], results: [i32(zlib.crc32(bytes(1000, (i) => i * 31 + 7)) | 0)] },
      { name: "adlerPattern", args: [i32(6000)], results: [i32(adler32(bytes(6000, (i) => i * 31 + 7)) | 0)] },
      { name: "crcByte", args: [i32(-1), i32(0x61)] },
    ],
  },
  {
    name: "bench/xorshift",
    source: "examples/bench/xorshift.wat",
    wasm: "examples/bench/xorshift.wasm",
    tasks: [0, 1, 1000, 20000].map((n) => ({ label: `n=${n}`, input: u32le(n), output: u32le(xorshiftBench(n)) })),
    calls: [0, 1, 2, 5000].map((n) => ({ name: "bench", args: [i32(n)], results: [i32(xorshiftBench(n))] })),
  },
  {
    name: "bench/sieve",
    source: "examples/bench/sieve.wat",
    wasm: "examples/bench/sieve.wasm",
    tasks: [0, 2, 3, 100, 30000].map((n) => ({ label: `n=${n}`, input: u32le(n), output: u32le(sieveBench(n).checksum) })),
    calls: [
      ...[0, 10, 1000].map((n) => ({ name: "bench", args: [i32(n)], results: [i32(sieveBench(n).checksum)] })),
      ...[2, 3, 100, 10000].map((n) => ({ name: "primeCount", args: [i32(n)], results: [i32(sieveBench(n).count)] })),
    ],
  },
  {
    name: "sum-input",
    source: "examples/sum-input.wat",
    wasm: "examples/sum-input.wasm",
    tasks: [
      Uint8Array.of(1, 2, 3, 4, 5),
      new Uint8Array(0),
      new Uint8Array(255).fill(255),
      new Uint8Array(256).fill(255),
      new Uint8Array(257).fill(255),
      sample,
    ].map((input) => ({ label: `${input.length} bytes`, input, output: u32le(input.reduce((a, b) => a + b, 0)) })),
    calls: [{ name: "sum", args: [i32(0), i32(100)], results: [i32(0)] }],
  },
  {
    name: "vm",
    source: "test/corpus/vm.wat",
    tasks: [
      { label: "20!", input: Uint8Array.from([1, 1, 1, 20, 6, 13, 4, 6, 8, 5, 7, 0xf8, 10, 9]), output: i64le(factorial(20)) },
      { label: "25! wraps", input: Uint8Array.from([1, 1, 1, 25, 6, 13, 4, 6, 8, 5, 7, 0xf8, 10, 9]), output: i64le(factorial(25)) },
      { label: "subprogram", input: Uint8Array.from([1, 5, 12, 4, 1, 7, 1, 6, 4, 2, 9]), output: i64le(47n) },
      {
        label: "nested subprograms",
        input: Uint8Array.from([12, 9, 12, 4, 1, 2, 1, 3, 4, 1, 10, 2, 9, 1, 0xff, 9]),
        output: i64le(16n, -1n),
      },
      { label: "division by zero", input: Uint8Array.from([1, 9, 9, 1, 0, 11, 9]), trap: "int_divide_by_zero", output: i64le(9n) },
      { label: "bad opcode", input: Uint8Array.from([1, 1, 9, 99]), trap: "unreachable", output: i64le(1n) },
      { label: "countdown outputs", input: Uint8Array.from([1, 5, 5, 9, 8, 5, 7, 0xfa]), output: i64le(5n, 4n, 3n, 2n, 1n) },
      { label: "empty", input: new Uint8Array(0), output: new Uint8Array(0) },
    ],
    calls: [{ name: "exec", args: [i32(0), i32(0)], results: [i64(0n)] }],
  },
];

// examples/fib.wat (the CLI's example), when present.
if (existsSync(join(PKG_ROOT, "examples/fib.wat"))) {
  CORPUS.push({
    name: "fib",
    source: "examples/fib.wat",
    tasks: [],
    calls: [0, 1, 2, 10, 20].map((n) => ({ name: "fib", args: [i32(n)], results: [i32(fib(n))] })),
  });
}
