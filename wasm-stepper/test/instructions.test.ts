/**
 * Instruction-level tests of the stepper's Machine: every supported
 * instruction with its edge cases, each checked against V8 (test/helpers/v8.ts)
 * and, where the WebAssembly spec pins the number, against a hard expectation.
 * Limits V8 cannot model (maxCallDepth, maxValueStack, maxSteps, step counts)
 * are checked against spec/EXECUTION.md only.
 *
 * Env: FUZZ_RUNS (default 100) and FUZZ_SEED for the random-operand properties.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadModule, Machine } from "../src/index.ts";
import type { Limits, Value } from "../src/types.ts";
import { V8Machine } from "./helpers/v8.ts";
import { wat } from "./helpers/wat.ts";
import { Pair, taskPair } from "./helpers/pair.ts";
import {
  diffRuns,
  diffExpect,
  fmtResult,
  fmtValues,
  i32,
  i64,
  I32_MAX,
  I32_MIN,
  I64_MAX,
  I64_MIN,
  ok,
  trap,
  type Expectation,
} from "./helpers/compare.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;

// ---------------------------------------------------------------------------
// Operands

/** Deterministic pseudo-random source (xorshift32) for reproducible tables. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
}
const r = rng(0x5eed);

const I32_OPERANDS: number[] = [
  0, 1, -1, 2, -2, I32_MIN, I32_MAX, I32_MIN + 1, I32_MAX - 1, 7, -7, 31, 32, 33, 63, 64,
  0x12345678, 0xffff, 0x10000, 0xaaaaaaaa | 0, 0x55555555, 0x80000001 | 0, r(), r(), r(),
];

const I64_OPERANDS: bigint[] = [
  0n, 1n, -1n, 2n, -2n, I64_MIN, I64_MAX, I64_MIN + 1n, I64_MAX - 1n, 7n, -7n, 31n, 32n, 33n, 63n, 64n, 65n,
  0xffffffffn, 0x100000000n, 0x7fffffffn, 0x80000000n, -0x80000000n, -0x100000000n, 0x123456789abcdef0n,
  -0x5555555555555556n, 0x5555555555555555n,
  BigInt.asIntN(64, (BigInt(r() >>> 0) << 32n) | BigInt(r() >>> 0)),
  BigInt.asIntN(64, (BigInt(r() >>> 0) << 32n) | BigInt(r() >>> 0)),
  BigInt(r()),
];

// ---------------------------------------------------------------------------
// Numeric operators: one module per operator, export "f".

type T = "i32" | "i64";
interface NumOp {
  name: string;
  params: T[];
  result: T;
}

const bin = (t: T, ops: string[], result: T = t): NumOp[] => ops.map((o) => ({ name: `${t}.${o}`, params: [t, t], result }));
const un = (t: T, ops: string[], param: T = t, result: T = t): NumOp[] =>
  ops.map((o) => ({ name: o.includes(".") ? o : `${t}.${o}`, params: [param], result }));

const ARITH = ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
const CMP = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];

const NUM_OPS: NumOp[] = [
  ...bin("i32", ARITH),
  ...bin("i32", CMP),
  ...bin("i64", ARITH),
  ...bin("i64", CMP, "i32"),
  ...un("i32", ["clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"]),
  ...un("i64", ["clz", "ctz", "popcnt", "extend8_s", "extend16_s", "extend32_s"]),
  { name: "i64.eqz", params: ["i64"], result: "i32" },
  { name: "i32.wrap_i64", params: ["i64"], result: "i32" },
  { name: "i64.extend_i32_s", params: ["i32"], result: "i64" },
  { name: "i64.extend_i32_u", params: ["i32"], result: "i64" },
];

function opModule(op: NumOp): string {
  const params = op.params.map((p) => `(param ${p})`).join(" ");
  const gets = op.params.map((_, i) => `local.get ${i}`).join(" ");
  return `(module (func (export "f") ${params} (result ${op.result}) ${gets} ${op.name}))`;
}

const pairCache = new Map<string, Promise<Pair>>();
function opPair(op: NumOp): Promise<Pair> {
  let p = pairCache.get(op.name);
  if (!p) {
    p = Pair.create(op.name, opModule(op));
    pairCache.set(op.name, p);
  }
  return p;
}

function operandsOf(t: T): Value[] {
  return t === "i32" ? I32_OPERANDS.map(i32) : I64_OPERANDS.map(i64);
}

/** Hard expectations from the WebAssembly spec (section 4.3.2 "Integer Operations"). */
const HARD: [string, Value[], Expectation][] = [];
function hard(op: string, args: (number | bigint)[], exp: Expectation | number | bigint): void {
  const t = op.startsWith("i64") ? "i64" : "i32";
  const argTypes = NUM_OPS.find((o) => o.name === op)?.params ?? [t, t];
  const result = NUM_OPS.find((o) => o.name === op)?.result ?? t;
  const vals = args.map((a, i) => (argTypes[i] === "i64" ? i64(a) : i32(Number(a))));
  const e = typeof exp === "object" ? exp : ok(result === "i64" ? i64(exp) : i32(Number(exp)));
  HARD.push([op, vals, e]);
}
const MIN = I32_MIN;
const MAX = I32_MAX;
const LMIN = I64_MIN;
const LMAX = I64_MAX;

// i32 arithmetic
hard("i32.add", [MAX, 1], MIN);
hard("i32.add", [-1, 1], 0);
hard("i32.add", [MIN, MIN], 0);
hard("i32.sub", [MIN, 1], MAX);
hard("i32.sub", [0, MIN], MIN);
hard("i32.sub", [0, 1], -1);
hard("i32.mul", [0x10000, 0x10000], 0);
hard("i32.mul", [MIN, -1], MIN);
hard("i32.mul", [0x12345678, 0x10], 0x23456780);
hard("i32.mul", [-1, -1], 1);
hard("i32.mul", [MAX, MAX], 1);
hard("i32.div_s", [MIN, -1], trap("int_overflow"));
hard("i32.div_s", [1, 0], trap("int_divide_by_zero"));
hard("i32.div_s", [0, 0], trap("int_divide_by_zero"));
hard("i32.div_s", [MIN, 0], trap("int_divide_by_zero"));
hard("i32.div_s", [7, -2], -3);
hard("i32.div_s", [-7, 2], -3);
hard("i32.div_s", [-7, -2], 3);
hard("i32.div_s", [MIN, 1], MIN);
hard("i32.div_s", [MIN, 2], -0x40000000);
hard("i32.div_u", [-1, 2], MAX);
hard("i32.div_u", [MIN, -1], 0);
hard("i32.div_u", [-1, -1], 1);
hard("i32.div_u", [7, 2], 3);
hard("i32.div_u", [1, 0], trap("int_divide_by_zero"));
hard("i32.div_u", [MIN, 0], trap("int_divide_by_zero"));
hard("i32.rem_s", [MIN, -1], 0);
hard("i32.rem_s", [-7, 2], -1);
hard("i32.rem_s", [7, -2], 1);
hard("i32.rem_s", [-7, -2], -1);
hard("i32.rem_s", [MIN, 2], 0);
hard("i32.rem_s", [MAX, -1], 0);
hard("i32.rem_s", [1, 0], trap("int_divide_by_zero"));
hard("i32.rem_u", [-1, 10], 5);
hard("i32.rem_u", [MIN, -1], MIN);
hard("i32.rem_u", [1, 0], trap("int_divide_by_zero"));
hard("i32.and", [-1, 0x0f0f0f0f], 0x0f0f0f0f);
hard("i32.or", [MIN, 1], MIN + 1);
hard("i32.xor", [-1, 0x55555555], 0xaaaaaaaa | 0);
// shifts and rotations take the count modulo 32
hard("i32.shl", [1, 31], MIN);
hard("i32.shl", [1, 32], 1);
hard("i32.shl", [1, 33], 2);
hard("i32.shl", [1, -1], MIN);
hard("i32.shl", [-1, 1], -2);
hard("i32.shl", [0x12345678, 64], 0x12345678);
hard("i32.shr_s", [MIN, 31], -1);
hard("i32.shr_s", [MIN, 32], MIN);
hard("i32.shr_s", [MIN, 1], -0x40000000);
hard("i32.shr_s", [-1, 100], -1);
hard("i32.shr_s", [0x40000000, 30], 1);
hard("i32.shr_s", [MAX, 33], 0x3fffffff);
hard("i32.shr_u", [MIN, 31], 1);
hard("i32.shr_u", [-1, 32], -1);
hard("i32.shr_u", [-1, 33], MAX);
hard("i32.shr_u", [MIN, 1], 0x40000000);
hard("i32.shr_u", [-1, -1], 1);
hard("i32.rotl", [0x80000001 | 0, 1], 3);
hard("i32.rotl", [0x12345678, 4], 0x23456781);
hard("i32.rotl", [0x12345678, 36], 0x23456781);
hard("i32.rotl", [0x12345678, 0], 0x12345678);
hard("i32.rotl", [0x12345678, 32], 0x12345678);
hard("i32.rotl", [1, -1], MIN);
hard("i32.rotr", [1, 1], MIN);
hard("i32.rotr", [0x12345678, 4], 0x81234567 | 0);
hard("i32.rotr", [0x12345678, 36], 0x81234567 | 0);
hard("i32.rotr", [3, 33], 0x80000001 | 0);
hard("i32.rotr", [MIN, 31], 1);
// i32 comparisons: MIN vs 0 separates signed from unsigned
for (const [op, v] of [["lt_s", 1], ["lt_u", 0], ["gt_s", 0], ["gt_u", 1], ["le_s", 1], ["le_u", 0], ["ge_s", 0], ["ge_u", 1], ["eq", 0], ["ne", 1]] as const) {
  hard(`i32.${op}`, [MIN, 0], v);
}
hard("i32.eq", [-1, -1], 1);
hard("i32.ne", [-1, -1], 0);
hard("i32.le_u", [0, -1], 1);
hard("i32.ge_s", [-1, 1], 0);
hard("i32.gt_u", [-1, 1], 1);
// i32 unary
hard("i32.clz", [0], 32);
hard("i32.clz", [-1], 0);
hard("i32.clz", [1], 31);
hard("i32.clz", [MIN], 0);
hard("i32.clz", [0x8000], 16);
hard("i32.ctz", [0], 32);
hard("i32.ctz", [-1], 0);
hard("i32.ctz", [1], 0);
hard("i32.ctz", [MIN], 31);
hard("i32.ctz", [0x8000], 15);
hard("i32.popcnt", [0], 0);
hard("i32.popcnt", [-1], 32);
hard("i32.popcnt", [0x55555555], 16);
hard("i32.popcnt", [MIN], 1);
hard("i32.eqz", [0], 1);
hard("i32.eqz", [1], 0);
hard("i32.eqz", [MIN], 0);
hard("i32.eqz", [-1], 0);
hard("i32.extend8_s", [0x80], -128);
hard("i32.extend8_s", [0x7f], 127);
hard("i32.extend8_s", [0x1ff], -1);
hard("i32.extend8_s", [0x100], 0);
hard("i32.extend8_s", [0x12345680], -128);
hard("i32.extend16_s", [0x8000], -32768);
hard("i32.extend16_s", [0x7fff], 32767);
hard("i32.extend16_s", [0x12347fff], 32767);
hard("i32.extend16_s", [0xffff], -1);
hard("i32.extend16_s", [0x10000], 0);
// i64 arithmetic
hard("i64.add", [LMAX, 1n], LMIN);
hard("i64.add", [0xffffffffn, 1n], 0x100000000n);
hard("i64.sub", [LMIN, 1n], LMAX);
hard("i64.sub", [0x100000000n, 1n], 0xffffffffn);
hard("i64.mul", [0x100000000n, 0x100000000n], 0n);
hard("i64.mul", [LMIN, -1n], LMIN);
hard("i64.mul", [0xffffffffn, 0xffffffffn], BigInt.asIntN(64, 0xfffffffe00000001n));
hard("i64.mul", [LMAX, LMAX], 1n);
hard("i64.mul", [-3n, 0x123456789n], -3n * 0x123456789n);
hard("i64.div_s", [LMIN, -1n], trap("int_overflow"));
hard("i64.div_s", [1n, 0n], trap("int_divide_by_zero"));
hard("i64.div_s", [LMIN, 0n], trap("int_divide_by_zero"));
hard("i64.div_s", [-7n, 2n], -3n);
hard("i64.div_s", [7n, -2n], -3n);
hard("i64.div_s", [LMIN, 2n], -(2n ** 62n));
hard("i64.div_s", [0x100000000n, -1n], -0x100000000n);
hard("i64.div_u", [-1n, 2n], LMAX);
hard("i64.div_u", [LMIN, -1n], 0n);
hard("i64.div_u", [-1n, 0x100000000n], 0xffffffffn);
hard("i64.div_u", [1n, 0n], trap("int_divide_by_zero"));
hard("i64.rem_s", [LMIN, -1n], 0n);
hard("i64.rem_s", [-7n, 2n], -1n);
hard("i64.rem_s", [7n, -2n], 1n);
hard("i64.rem_s", [LMIN, 3n], -2n);
hard("i64.rem_s", [1n, 0n], trap("int_divide_by_zero"));
hard("i64.rem_u", [-1n, 10n], 5n);
hard("i64.rem_u", [LMIN, -1n], LMIN);
hard("i64.rem_u", [1n, 0n], trap("int_divide_by_zero"));
hard("i64.and", [-1n, 0xf0f0f0f0f0f0f0fn], 0xf0f0f0f0f0f0f0fn);
hard("i64.or", [LMIN, 0x100000000n], LMIN + 0x100000000n);
hard("i64.xor", [-1n, 0x5555555555555555n], -0x5555555555555556n);
hard("i64.shl", [1n, 63n], LMIN);
hard("i64.shl", [1n, 64n], 1n);
hard("i64.shl", [1n, 65n], 2n);
hard("i64.shl", [1n, -1n], LMIN);
hard("i64.shl", [1n, 32n], 0x100000000n);
hard("i64.shl", [0xffffffffn, 32n], -0x100000000n);
hard("i64.shl", [0xffffffffn, 0x100000020n], -0x100000000n);
hard("i64.shr_s", [LMIN, 63n], -1n);
hard("i64.shr_s", [LMIN, 64n], LMIN);
hard("i64.shr_s", [LMIN, 32n], -0x80000000n);
hard("i64.shr_s", [-1n, 100n], -1n);
hard("i64.shr_u", [LMIN, 63n], 1n);
hard("i64.shr_u", [-1n, 64n], -1n);
hard("i64.shr_u", [-1n, 65n], LMAX);
hard("i64.shr_u", [LMIN, 32n], 0x80000000n);
hard("i64.rotl", [LMIN + 1n, 1n], 3n);
hard("i64.rotl", [0x0123456789abcdefn, 4n], 0x123456789abcdef0n);
hard("i64.rotl", [0x0123456789abcdefn, 68n], 0x123456789abcdef0n);
hard("i64.rotl", [0x0123456789abcdefn, 32n], BigInt.asIntN(64, 0x89abcdef01234567n));
hard("i64.rotl", [0x0123456789abcdefn, 64n], 0x0123456789abcdefn);
hard("i64.rotl", [1n, -1n], LMIN);
hard("i64.rotr", [1n, 1n], LMIN);
hard("i64.rotr", [0x0123456789abcdefn, 4n], BigInt.asIntN(64, 0xf0123456789abcden));
hard("i64.rotr", [3n, 65n], BigInt.asIntN(64, 0x8000000000000001n));
hard("i64.rotr", [0x0123456789abcdefn, 32n], BigInt.asIntN(64, 0x89abcdef01234567n));
// i64 comparisons: the high word must decide
hard("i64.lt_s", [0xffffffffn, 0x100000000n], 1);
hard("i64.lt_u", [-1n, 0n], 0);
hard("i64.lt_s", [-1n, 0n], 1);
hard("i64.gt_s", [0x100000000n, 0xffffffffn], 1);
hard("i64.gt_u", [0x100000000n, 0xffffffffn], 1);
hard("i64.eq", [0x100000000n, 0n], 0);
hard("i64.eq", [0x100000001n, 1n], 0);
hard("i64.ne", [0x100000001n, 1n], 1);
hard("i64.lt_s", [LMIN, LMAX], 1);
hard("i64.lt_u", [LMAX, LMIN], 1);
hard("i64.ge_u", [LMIN, LMAX], 1);
hard("i64.le_s", [-1n, 0n], 1);
hard("i64.ge_s", [LMIN, LMIN], 1);
hard("i64.le_u", [0x80000000n, 0x7fffffffn], 0);
// i64 unary and conversions
hard("i64.clz", [0n], 0n + 64n);
hard("i64.clz", [-1n], 0n);
hard("i64.clz", [1n], 63n);
hard("i64.clz", [LMIN], 0n);
hard("i64.clz", [0x100000000n], 31n);
hard("i64.clz", [0xffffffffn], 32n);
hard("i64.ctz", [0n], 64n);
hard("i64.ctz", [-1n], 0n);
hard("i64.ctz", [LMIN], 63n);
hard("i64.ctz", [0x100000000n], 32n);
hard("i64.popcnt", [0n], 0n);
hard("i64.popcnt", [-1n], 64n);
hard("i64.popcnt", [0x5555555555555555n], 32n);
hard("i64.popcnt", [0xffffffffn], 32n);
hard("i64.eqz", [0n], 1);
hard("i64.eqz", [0x100000000n], 0);
hard("i64.eqz", [LMIN], 0);
hard("i64.extend8_s", [0x80n], -128n);
hard("i64.extend8_s", [0x7fn], 127n);
hard("i64.extend8_s", [-129n], 127n);
hard("i64.extend16_s", [0x8000n], -32768n);
hard("i64.extend16_s", [0x12347fffn], 32767n);
hard("i64.extend32_s", [0x80000000n], -2147483648n);
hard("i64.extend32_s", [BigInt.asIntN(64, 0xffffffff7fffffffn)], 0x7fffffffn);
hard("i64.extend32_s", [0xffffffffn], -1n);
hard("i64.extend32_s", [0x100000000n], 0n);
hard("i32.wrap_i64", [0x100000001n], 1);
hard("i32.wrap_i64", [BigInt.asIntN(64, 0xffffffff80000000n)], MIN);
hard("i32.wrap_i64", [-1n], -1);
hard("i32.wrap_i64", [LMAX], -1);
hard("i32.wrap_i64", [0xffffffffn], -1);
hard("i32.wrap_i64", [0x7fffffffn], MAX);
hard("i64.extend_i32_s", [-1], -1n);
hard("i64.extend_i32_s", [MIN], -0x80000000n);
hard("i64.extend_i32_s", [MAX], 0x7fffffffn);
hard("i64.extend_i32_u", [-1], 0xffffffffn);
hard("i64.extend_i32_u", [MIN], 0x80000000n);
hard("i64.extend_i32_u", [1], 1n);

describe("numeric instructions: hard expectations (WebAssembly spec)", () => {
  const byOp = new Map<string, [Value[], Expectation][]>();
  for (const [op, args, e] of HARD) {
    if (!byOp.has(op)) byOp.set(op, []);
    byOp.get(op)!.push([args, e]);
  }
  for (const [op, cases] of byOp) {
    it(`${op} (${cases.length} cases)`, async () => {
      const p = await Pair.create(op, opModule(NUM_OPS.find((o) => o.name === op)!));
      for (const [args, e] of cases) p.check("f", args, e);
      p.assertClean();
    });
  }
});

describe("numeric instructions: operand tables vs V8", () => {
  for (const op of NUM_OPS) {
    it(op.name, async () => {
      const p = await opPair(op);
      const table = operandsOf(op.params[0]!);
      if (op.params.length === 1) {
        for (const a of table) p.check("f", [a]);
      } else {
        const second = operandsOf(op.params[1]!);
        for (const a of table) for (const b of second) p.check("f", [a, b]);
      }
      p.assertClean();
    });
  }
});

describe("numeric instructions: random operands vs V8 (fast-check)", () => {
  const edge32 = fc.constantFrom(...I32_OPERANDS.slice(0, 16));
  const arb32 = fc.oneof(fc.integer({ min: I32_MIN, max: I32_MAX }), edge32, fc.integer({ min: -64, max: 64 }));
  const edge64 = fc.constantFrom(...I64_OPERANDS.slice(0, 22));
  const arb64 = fc.oneof(
    fc.bigInt({ min: I64_MIN, max: I64_MAX }),
    edge64,
    fc.bigInt({ min: -128n, max: 128n }),
    fc.integer({ min: I32_MIN, max: I32_MAX }).map((x) => BigInt(x)),
  );
  const arbOf = (t: T): fc.Arbitrary<Value> => (t === "i32" ? arb32.map(i32) : arb64.map(i64));
  for (const op of NUM_OPS) {
    it(op.name, async () => {
      const p = await opPair(op);
      fc.assert(
        fc.property(fc.tuple(...op.params.map(arbOf)), (args) => {
          const m = p.machine.invoke("f", args);
          const v = p.v8.invoke("f", args);
          const d = diffRuns(m, v);
          if (d) throw new Error(`${op.name}${fmtValues(args)}: ${d}: machine=${fmtResult(m)} v8=${fmtResult(v)}`);
        }),
        { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
      );
    });
  }
});

describe("constants", () => {
  it("i32.const and i64.const edge encodings", async () => {
    const consts64 = [0n, -1n, LMIN, LMAX, 0xffffffffn, -0x100000000n, 0x7fffffff80000000n, 0x80000000n, 0x123456789abcdef0n];
    const consts32 = [0, -1, MIN, MAX, 0x80, -0x41, 0x3fff];
    const src = `(module
      ${consts64.map((c, i) => `(func (export "c64_${i}") (result i64) i64.const ${c})`).join("\n")}
      ${consts32.map((c, i) => `(func (export "c32_${i}") (result i32) i32.const ${c})`).join("\n")})`;
    const p = await Pair.create("const", src);
    consts64.forEach((c, i) => p.check(`c64_${i}`, [], ok(i64(c))));
    consts32.forEach((c, i) => p.check(`c32_${i}`, [], ok(i32(c))));
    p.assertClean();
  });
});

// ---------------------------------------------------------------------------
// Memory

const PAGE = 65536;
/** Initial bytes at address 0 of the memory tests. */
const MEM_INIT = [0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0x88, 0xf9];
const watBytes = (b: ArrayLike<number>) => Array.from(b, (x) => `\\${x.toString(16).padStart(2, "0")}`).join("");

const LOADS: [string, T][] = [
  ["i32.load", "i32"], ["i32.load8_s", "i32"], ["i32.load8_u", "i32"], ["i32.load16_s", "i32"], ["i32.load16_u", "i32"],
  ["i64.load", "i64"], ["i64.load8_s", "i64"], ["i64.load8_u", "i64"], ["i64.load16_s", "i64"], ["i64.load16_u", "i64"],
  ["i64.load32_s", "i64"], ["i64.load32_u", "i64"],
];
const STORES: [string, T, number][] = [
  ["i32.store", "i32", 4], ["i32.store8", "i32", 1], ["i32.store16", "i32", 2],
  ["i64.store", "i64", 8], ["i64.store8", "i64", 1], ["i64.store16", "i64", 2], ["i64.store32", "i64", 4],
];
const widthOf = (op: string) => (/8_|8$/.test(op) ? 1 : /16/.test(op) ? 2 : /32_|32$/.test(op) ? 4 : op.startsWith("i64") ? 8 : 4);
const ident = (op: string) => op.replace(".", "_");

/** JS model of a little-endian load from the byte array. */
function modelLoad(mem: Uint8Array, op: string, addr: number): Value {
  const w = widthOf(op);
  let v = 0n;
  for (let i = w - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[addr + i]!);
  const signed = op.endsWith("_s");
  if (signed) v = BigInt.asIntN(w * 8, v);
  return op.startsWith("i64") ? i64(v) : i32(Number(BigInt.asIntN(32, v)));
}

/** Loads of every width, plus the stores whose type is in `storeTypes`. */
function loadStoreModule(maxPages = 2, storeTypes: T[] = []): string {
  const loads = LOADS.map(
    ([op, t]) => `
    (func (export "${ident(op)}") (param i32) (result ${t}) local.get 0 ${op})
    (func (export "${ident(op)}_off4") (param i32) (result ${t}) local.get 0 ${op} offset=4)
    (func (export "${ident(op)}_offmax") (param i32) (result ${t}) local.get 0 ${op} offset=4294967295)
    (func (export "${ident(op)}_a1") (param i32) (result ${t}) local.get 0 ${op} align=1)`,
  ).join("");
  const stores = STORES.filter(([, t]) => storeTypes.includes(t)).map(
    ([op, t]) => `
    (func (export "${ident(op)}") (param i32 ${t}) local.get 0 local.get 1 ${op})
    (func (export "${ident(op)}_off4") (param i32 ${t}) local.get 0 local.get 1 ${op} offset=4)
    (func (export "${ident(op)}_offmax") (param i32 ${t}) local.get 0 local.get 1 ${op} offset=4294967295)`,
  ).join("");
  return `(module (memory 1 ${maxPages})
    (data (i32.const 0) "${watBytes(MEM_INIT)}")
    (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
    (func (export "size") (result i32) memory.size)
    ${loads}${stores})`;
}

describe("memory: loads and stores", () => {
  it("every load width with sign extension, aligned and unaligned", async () => {
    const p = await Pair.create("loads", loadStoreModule());
    const mem = new Uint8Array(PAGE);
    mem.set(MEM_INIT);
    for (const [op] of LOADS) {
      for (let addr = 0; addr <= 4; addr++) {
        p.check(ident(op), [i32(addr)], ok(modelLoad(mem, op, addr)));
        p.check(`${ident(op)}_a1`, [i32(addr)], ok(modelLoad(mem, op, addr)));
        p.check(`${ident(op)}_off4`, [i32(addr)], ok(modelLoad(mem, op, addr + 4)));
      }
    }
    // A few pinned values (little-endian, sign extension).
    p.check("i32_load8_s", [i32(1)], ok(i32(-126)));
    p.check("i32_load8_u", [i32(1)], ok(i32(130)));
    p.check("i32_load16_s", [i32(0)], ok(i32(-32255)));
    p.check("i32_load16_u", [i32(0)], ok(i32(0x8201)));
    p.check("i32_load", [i32(0)], ok(i32(0x84038201 | 0)));
    p.check("i32_load", [i32(1)], ok(i32(0x05840382)));
    p.check("i64_load", [i32(0)], ok(i64(0x8807860584038201n)));
    p.check("i64_load", [i32(1)], ok(i64(0xf988078605840382n)));
    p.check("i64_load32_s", [i32(0)], ok(i64(BigInt(0x84038201 | 0))));
    p.check("i64_load32_u", [i32(0)], ok(i64(0x84038201n)));
    p.check("i64_load8_s", [i32(3)], ok(i64(-124n)));
    p.check("i64_load16_s", [i32(2)], ok(i64(-31741n)));
    p.check("i64_load16_u", [i32(2)], ok(i64(0x8403n)));
    p.assertClean();
  });

  it("loads out of bounds at the exact boundary, with offsets, and address+offset overflow", async () => {
    const p = await Pair.create("load-bounds", loadStoreModule());
    for (const [op, t] of LOADS) {
      const w = widthOf(op);
      const zero = t === "i64" ? i64(0) : i32(0);
      p.check(ident(op), [i32(PAGE - w)], ok(zero)); // last valid address
      p.check(ident(op), [i32(PAGE - w + 1)], trap("out_of_bounds_memory")); // one past
      p.check(ident(op), [i32(PAGE)], trap("out_of_bounds_memory"));
      p.check(ident(op), [i32(-1)], trap("out_of_bounds_memory"));
      p.check(`${ident(op)}_off4`, [i32(PAGE - w - 4)], ok(zero));
      p.check(`${ident(op)}_off4`, [i32(PAGE - w - 3)], trap("out_of_bounds_memory"));
      p.check(`${ident(op)}_off4`, [i32(-4)], trap("out_of_bounds_memory")); // 0xfffffffc + 4 = 2^32
      p.check(`${ident(op)}_offmax`, [i32(0)], trap("out_of_bounds_memory"));
      p.check(`${ident(op)}_offmax`, [i32(1)], trap("out_of_bounds_memory")); // wraps to 0 in 32 bits
    }
    p.assertClean();
  });

  for (const st of ["i32", "i64"] as const) {
    it(`${st} stores out of bounds at the exact boundary, with offsets, and address+offset overflow`, async () => {
      const p = await Pair.create(`${st}-store-bounds`, loadStoreModule(2, [st]));
      for (const [op, t, w] of STORES.filter(([, t]) => t === st)) {
        const v = t === "i64" ? i64(-1n) : i32(-1);
        p.check(ident(op), [i32(PAGE - w), v], ok());
        p.check(ident(op), [i32(PAGE - w + 1), v], trap("out_of_bounds_memory"));
        p.check(`${ident(op)}_off4`, [i32(-4), v], trap("out_of_bounds_memory"));
        p.check(`${ident(op)}_offmax`, [i32(1), v], trap("out_of_bounds_memory"));
      }
      p.assertClean();
    });
  }

  for (const st of ["i32", "i64"] as const) {
    it(`${st} stores of every width, read back by every load; a trapping store writes nothing`, async () => {
      const p = await Pair.create(`${st}-stores`, loadStoreModule(2, [st]));
      const mem = new Uint8Array(PAGE);
      mem.set(MEM_INIT);
      const values: Record<T, Value[]> = {
        i32: [i32(0x11223344), i32(-1), i32(MIN), i32(0x80)],
        i64: [i64(0x1122334455667788n), i64(-1n), i64(LMIN), i64(0x8000n)],
      };
      let addr = 100;
      for (const [op, t, w] of STORES.filter(([, t]) => t === st)) {
        for (const v of values[t]) {
          for (const [suffix, extra] of [["", 0], ["_off4", 4]] as const) {
            p.check(`${ident(op)}${suffix}`, [i32(addr), v], ok());
            let x = BigInt.asUintN(64, BigInt(v.value));
            for (let i = 0; i < w; i++, x >>= 8n) mem[addr + extra + i] = Number(x & 0xffn);
            for (const [lop] of LOADS) p.check(ident(lop), [i32(addr + extra)], ok(modelLoad(mem, lop, addr + extra)));
            addr += 3; // unaligned on purpose
          }
        }
      }
      // A store straddling the end: nothing is written (the in-bounds bytes stay 0).
      for (const [op, t, w] of STORES.filter(([, t]) => t === st)) {
        if (w === 1) continue;
        p.check(ident(op), [i32(PAGE - w + 1), t === "i64" ? i64(-1n) : i32(-1)], trap("out_of_bounds_memory"));
        p.check("i64_load", [i32(PAGE - 8)], ok(i64(0n)));
      }
      p.assertClean();
    });
  }
});

describe("memory: size and grow", () => {
  it("grow within the declared maximum, failure (-1) beyond it, new pages zeroed", async () => {
    const p = await Pair.create("grow", loadStoreModule(3, ["i32"]));
    p.check("size", [], ok(i32(1)));
    p.check("i32_load", [i32(PAGE)], trap("out_of_bounds_memory"));
    p.check("grow", [i32(1)], ok(i32(1)));
    p.check("size", [], ok(i32(2)));
    p.check("i32_load", [i32(PAGE)], ok(i32(0)));
    p.check("i32_load", [i32(2 * PAGE - 4)], ok(i32(0)));
    p.check("i32_load", [i32(2 * PAGE - 3)], trap("out_of_bounds_memory"));
    p.check("grow", [i32(2)], ok(i32(-1))); // 4 > max 3
    p.check("size", [], ok(i32(2)));
    p.check("grow", [i32(0)], ok(i32(2)));
    p.check("grow", [i32(1)], ok(i32(2)));
    p.check("grow", [i32(1)], ok(i32(-1)));
    p.check("grow", [i32(-1)], ok(i32(-1)));
    p.check("grow", [i32(MIN)], ok(i32(-1)));
    p.check("size", [], ok(i32(3)));
    p.check("i32_store", [i32(3 * PAGE - 8), i32(-1)], ok());
    p.check("i32_store", [i32(3 * PAGE - 4), i32(-1)], ok());
    p.check("i64_load", [i32(3 * PAGE - 8)], ok(i64(-1n)));
    p.check("i64_load", [i32(3 * PAGE - 7)], trap("out_of_bounds_memory"));
    p.assertClean();
  });

  it("grow fails beyond limits.maxMemoryPages (no declared maximum)", async () => {
    const src = `(module (memory 1)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
      (func (export "size") (result i32) memory.size))`;
    const p = await Pair.create("grow-limit", src, { limits: { maxMemoryPages: 3 } });
    p.check("grow", [i32(3)], ok(i32(-1)));
    p.check("grow", [i32(2)], ok(i32(1)));
    p.check("grow", [i32(1)], ok(i32(-1)));
    p.check("grow", [i32(0)], ok(i32(3)));
    p.check("size", [], ok(i32(3)));
    p.assertClean();

    const q = await Pair.create("grow-default", src);
    q.check("grow", [i32(65536)], ok(i32(-1)));
    q.check("grow", [i32(1024)], ok(i32(-1))); // 1 + 1024 > default maxMemoryPages 1024
    q.check("grow", [i32(1023)], ok(i32(1)));
    q.check("size", [], ok(i32(1024)));
    q.assertClean();
  });

  it("memory 0 and maxMemoryPages 0", async () => {
    const src = `(module (memory 0)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
      (func (export "size") (result i32) memory.size)
      (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))`;
    const p = await Pair.create("mem0", src, { limits: { maxMemoryPages: 0 } });
    p.check("size", [], ok(i32(0)));
    p.check("load", [i32(0)], trap("out_of_bounds_memory"));
    p.check("grow", [i32(1)], ok(i32(-1)));
    p.check("grow", [i32(0)], ok(i32(0)));
    p.assertClean();
    const q = await Pair.create("mem0-grow", src);
    q.check("grow", [i32(1)], ok(i32(0)));
    q.check("load", [i32(PAGE - 1)], ok(i32(0)));
    q.check("load", [i32(PAGE)], trap("out_of_bounds_memory"));
    q.assertClean();
  });
});

// ---------------------------------------------------------------------------
// Control flow

describe("control flow", () => {
  it("block/loop/if/else with multi-value block types", async () => {
    const src = `(module
      (type $ii_i (func (param i32 i32) (result i32)))
      (func (export "block2") (result i32 i32)
        (block (result i32 i32) i32.const 1 i32.const 2))
      (func (export "block2sub") (result i32)
        (block (result i32 i32) i32.const 1 i32.const 2) i32.sub)
      (func (export "blockparams") (param i32 i32) (result i32)
        local.get 0 local.get 1 (block (type $ii_i) (param i32 i32) (result i32) i32.sub))
      (func (export "blockmixed") (param i64 i32) (result i32 i64)
        local.get 1 local.get 0 (block (param i32 i64) (result i32 i64) i64.const 1 i64.add))
      (func (export "ifelse") (param i32) (result i32 i64)
        local.get 0
        if (result i32 i64) i32.const 10 i64.const 20 else i32.const 30 i64.const 40 end)
      (func (export "ifparams") (param i32 i32) (result i32)
        local.get 1 local.get 0
        if (param i32) (result i32) i32.const 1 i32.add else i32.const 2 i32.mul end)
      (func (export "ifnoelse") (param i32) (result i32) (local i32)
        i32.const 5 local.set 1
        local.get 0 if local.get 1 i32.const 100 i32.add local.set 1 end
        local.get 1)
      (func (export "nested") (param i32 i32) (result i32)
        local.get 0
        if (result i32)
          local.get 1 if (result i32) i32.const 11 else i32.const 10 end
        else
          local.get 1 if (result i32) i32.const 1 else i32.const 0 end
        end)
      ;; sum 1..n with a loop carrying the counter as a loop parameter
      (func (export "loopparams") (param i32) (result i32) (local $acc i32)
        local.get 0
        (loop $l (param i32) (result i32)
          local.tee 0
          local.get $acc i32.add local.set $acc
          local.get 0 i32.const 1 i32.sub
          local.get 0 i32.const 1 i32.gt_s br_if $l
          drop local.get $acc))
      ;; factorial (i64) with a plain loop
      (func (export "fact") (param i32) (result i64) (local $r i64)
        i64.const 1 local.set $r
        (block $done (loop $l
          local.get 0 i32.const 2 i32.lt_s br_if $done
          local.get $r local.get 0 i64.extend_i32_u i64.mul local.set $r
          local.get 0 i32.const 1 i32.sub local.set 0
          br $l))
        local.get $r)
      (func (export "nops") (result i32) nop (block nop (loop nop)) i32.const 7 nop))`;
    const p = await Pair.create("blocks", src);
    p.check("block2", [], ok(i32(1), i32(2)));
    p.check("block2sub", [], ok(i32(-1)));
    p.check("blockparams", [i32(10), i32(3)], ok(i32(7)));
    p.check("blockmixed", [i64(LMAX), i32(5)], ok(i32(5), i64(LMIN)));
    p.check("ifelse", [i32(1)], ok(i32(10), i64(20n)));
    p.check("ifelse", [i32(MIN)], ok(i32(10), i64(20n)));
    p.check("ifelse", [i32(0)], ok(i32(30), i64(40n)));
    p.check("ifparams", [i32(1), i32(7)], ok(i32(8)));
    p.check("ifparams", [i32(0), i32(7)], ok(i32(14)));
    p.check("ifnoelse", [i32(0)], ok(i32(5)));
    p.check("ifnoelse", [i32(-1)], ok(i32(105)));
    for (const [a, b, v] of [[1, 1, 11], [1, 0, 10], [0, 1, 1], [0, 0, 0]]) p.check("nested", [i32(a!), i32(b!)], ok(i32(v!)));
    p.check("loopparams", [i32(1)], ok(i32(1)));
    p.check("loopparams", [i32(100)], ok(i32(5050)));
    p.check("fact", [i32(0)], ok(i64(1n)));
    p.check("fact", [i32(20)], ok(i64(2432902008176640000n)));
    p.check("fact", [i32(25)], ok(i64(BigInt.asIntN(64, 15511210043330985984000000n))));
    p.check("nops", [], ok(i32(7)));
    p.assertClean();
  });

  it("br/br_if carry values and drop the rest of the stack", async () => {
    const src = `(module
      (func (export "brif") (param i32) (result i32)
        (block $outer (result i32)
          i32.const 100
          (block $inner (result i32)
            i32.const 7
            i32.const 8
            local.get 0
            br_if $outer
            drop)
          i32.add))
      (func (export "br2") (param i32) (result i32 i64)
        (block $b (result i32 i64)
          i64.const 99 drop
          i32.const 1 i32.const 2 i32.const 3 i64.const 4
          local.get 0 br_if $b
          drop drop drop i64.const 5)
        )
      (func (export "brloop") (param i32) (result i32) (local $n i32)
        (loop $l
          local.get $n i32.const 1 i32.add local.set $n
          local.get $n local.get 0 i32.lt_u br_if $l)
        local.get $n)
      (func (export "brdeep") (param i32) (result i32)
        (block $a (result i32)
          (block $b (result i32)
            (block $c (result i32)
              i32.const 1 i32.const 2 i32.const 3
              local.get 0 br_if $a
              drop drop)
            i32.const 10 i32.add)
          i32.const 100 i32.add))
      (func (export "dead") (result i32)
        (block (result i32) i32.const 1 br 0 i32.add)))`;
    const p = await Pair.create("br", src);
    p.check("brif", [i32(0)], ok(i32(107)));
    p.check("brif", [i32(1)], ok(i32(8)));
    p.check("brif", [i32(MIN)], ok(i32(8)));
    p.check("br2", [i32(1)], ok(i32(3), i64(4n)));
    p.check("br2", [i32(0)], ok(i32(1), i64(5n)));
    p.check("brloop", [i32(0)], ok(i32(1)));
    p.check("brloop", [i32(50)], ok(i32(50)));
    p.check("brdeep", [i32(1)], ok(i32(3)));
    p.check("brdeep", [i32(0)], ok(i32(111)));
    p.check("dead", [], ok(i32(1)));
    p.assertClean();
  });

  it("br_table: every label, default, out-of-range and negative indices, with values", async () => {
    const src = `(module
      (func (export "bt") (param i32) (result i32)
        (block $d (block $c (block $b (block $a
          local.get 0 br_table $a $b $c $d)
          i32.const 10 return)
          i32.const 11 return)
          i32.const 12 return)
        i32.const 13)
      (func (export "btval") (param i32) (result i32)
        (block $x (result i32)
          (block $y (result i32)
            i32.const 1000
            i32.const 5
            local.get 0
            br_table $x $y $x)
          i32.const 100 i32.add))
      (func (export "btmulti") (param i32) (result i32 i64)
        (block $x (result i32 i64)
          (block $y (result i32 i64)
            i32.const 1 i64.const 2
            local.get 0
            br_table $y $x)
          i64.const 10 i64.add))
      (func (export "btonly") (param i32) (result i32)
        (block $x (result i32) i32.const 42 local.get 0 br_table $x) ))`;
    const p = await Pair.create("br_table", src);
    const idx = [0, 1, 2, 3, 4, 100, -1, MIN, MAX];
    for (const i of idx) p.check("bt", [i32(i)], ok(i32(i >= 0 && i <= 2 ? 10 + i : 13)));
    for (const i of idx) p.check("btval", [i32(i)], ok(i32(i === 1 ? 105 : 5)));
    for (const i of idx) p.check("btmulti", [i32(i)], ok(i32(1), i64(i === 0 ? 12n : 2n)));
    for (const i of idx) p.check("btonly", [i32(i)], ok(i32(42)));
    p.assertClean();
  });

  it("return from nested blocks and loops, with multiple results", async () => {
    const src = `(module
      (func (export "ret") (param i32) (result i32)
        (block (loop (block
          i32.const 1 i32.const 2
          local.get 0 i32.const 3 i32.mul
          return)))
        i32.const -1)
      (func (export "ret2") (param i32) (result i32 i64)
        (block (result i32)
          i32.const 9
          local.get 0 if i32.const 1 i64.const 2 return end)
        i64.const 3)
      (func (export "retif") (param i32) (result i32)
        local.get 0 if (result i32) i32.const 5 return else i32.const 6 end
        i32.const 1 i32.add))`;
    const p = await Pair.create("return", src);
    p.check("ret", [i32(5)], ok(i32(15)));
    p.check("ret2", [i32(1)], ok(i32(1), i64(2n)));
    p.check("ret2", [i32(0)], ok(i32(9), i64(3n)));
    p.check("retif", [i32(1)], ok(i32(5)));
    p.check("retif", [i32(0)], ok(i32(7)));
    p.assertClean();
  });

  it("select (untyped and typed), unreachable, drop", async () => {
    const src = `(module
      (func (export "sel32") (param i32 i32 i32) (result i32) local.get 0 local.get 1 local.get 2 select)
      (func (export "sel64") (param i64 i64 i32) (result i64) local.get 0 local.get 1 local.get 2 select)
      (func (export "selt") (param i64 i64 i32) (result i64) local.get 0 local.get 1 local.get 2 select (result i64))
      (func (export "unr") unreachable)
      (func (export "unr2") (param i32) (result i32) local.get 0 if unreachable end i32.const 5)
      (func (export "unr3") (result i32) unreachable i32.add)
      (func (export "drop") (param i64) (result i32) i32.const 1 local.get 0 drop))`;
    const p = await Pair.create("select", src);
    for (const c of [0, 1, -1, MIN, 2]) {
      p.check("sel32", [i32(11), i32(22), i32(c)], ok(i32(c !== 0 ? 11 : 22)));
      p.check("sel64", [i64(LMIN), i64(LMAX), i32(c)], ok(i64(c !== 0 ? LMIN : LMAX)));
      p.check("selt", [i64(0x100000000n), i64(1n), i32(c)], ok(i64(c !== 0 ? 0x100000000n : 1n)));
    }
    p.check("unr", [], trap("unreachable"));
    p.check("unr2", [i32(0)], ok(i32(5)));
    p.check("unr2", [i32(1)], trap("unreachable"));
    p.check("unr3", [], trap("unreachable"));
    p.check("drop", [i64(5n)], ok(i32(1)));
    p.assertClean();
  });
});

// ---------------------------------------------------------------------------
// Calls, globals, locals

describe("calls", () => {
  it("call with params and multiple results, mutual recursion, fib", async () => {
    const src = `(module
      (func $swap (param i32 i64) (result i64 i32) local.get 1 local.get 0)
      (func (export "swap") (param i32 i64) (result i64 i32) local.get 0 local.get 1 call $swap)
      (func (export "swapsum") (param i32 i64) (result i64)
        local.get 0 local.get 1 call $swap i64.extend_i32_s i64.add)
      (func $even (param i32) (result i32) local.get 0 i32.eqz if (result i32) i32.const 1 else local.get 0 i32.const 1 i32.sub call $odd end)
      (func $odd (param i32) (result i32) local.get 0 i32.eqz if (result i32) i32.const 0 else local.get 0 i32.const 1 i32.sub call $even end)
      (func (export "even") (param i32) (result i32) local.get 0 call $even)
      (func $fib (export "fib") (param i32) (result i32)
        local.get 0 i32.const 2 i32.lt_u
        if (result i32) local.get 0
        else local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end)
      ;; the caller's operand stack survives the call
      (func $id (param i32) (result i32) (local i32 i32) local.get 0)
      (func (export "keep") (result i32)
        i32.const 1 i32.const 2 i32.const 3 call $id i32.add i32.add))`;
    const p = await Pair.create("call", src);
    p.check("swap", [i32(-1), i64(LMIN)], ok(i64(LMIN), i32(-1)));
    p.check("swapsum", [i32(-1), i64(10n)], ok(i64(9n)));
    p.check("even", [i32(10)], ok(i32(1)));
    p.check("even", [i32(7)], ok(i32(0)));
    p.check("fib", [i32(20)], ok(i32(6765)));
    p.check("keep", [], ok(i32(6)));
    p.assertClean();
  });

  const recSrc = `(module
    (func $rec (export "rec") (param i32) (result i32)
      local.get 0 i32.eqz
      if (result i32) i32.const 0
      else local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))`;

  it("deep recursion: depth 10,000 within maxCallDepth; default limits", async () => {
    const p = await Pair.create("rec", recSrc, { limits: { maxCallDepth: 20000 } });
    p.check("rec", [i32(10000)], ok(i32(10000)));
    p.check("rec", [i32(19000)], ok(i32(19000)), { v8: false }); // deeper than V8's own stack allows here
    p.assertClean();
    // Default limits (DEFAULT_LIMITS.maxCallDepth = 16384): depth 10,000 inside, 20,000 beyond.
    const q = await Pair.create("rec-default", recSrc);
    q.check("rec", [i32(10000)], ok(i32(10000)), { v8: false });
    q.check("rec", [i32(20000)], trap("call_stack_exhausted"), { v8: false });
    q.check("rec", [i32(3)], ok(i32(3)));
    q.assertClean();
  });

  it("maxCallDepth: exact boundary traps call_stack_exhausted", async () => {
    // rec(n) uses n+1 frames; the bottom frame of an invocation is depth 0
    // (spec/EXECUTION.md section 6), so n+1 <= maxCallDepth is fine.
    const p = await Pair.create("depth", recSrc, { limits: { maxCallDepth: 100 } });
    p.check("rec", [i32(98)], ok(i32(98)), { v8: false });
    p.check("rec", [i32(99)], ok(i32(99)), { v8: false });
    p.check("rec", [i32(100)], trap("call_stack_exhausted"), { v8: false });
    p.check("rec", [i32(1000000)], trap("call_stack_exhausted"), { v8: false });
    // the instance stays usable after the trap
    p.check("rec", [i32(5)], ok(i32(5)));
    p.assertClean();
  });

  it("maxValueStack: value_stack_exhausted at a call", async () => {
    const src = `(module
      (func $f (param i32) (result i32) (local i32 i32) local.get 0 i32.const 1 i32.add)
      (func (export "g") (result i32) i32.const 5 call $f)
      ${recSrc.slice("(module".length, -1)})`;
    // g: fp 0, 0 locals, max height 1. Calling f: fp' = 1 - 1 = 0; nlocals 3 + maxHeight 2 = 5.
    const fit = await Pair.create("vstack5", src, { limits: { maxValueStack: 5 } });
    fit.check("g", [], ok(i32(6)), { v8: false });
    fit.assertClean();
    const tight = await Pair.create("vstack4", src, { limits: { maxValueStack: 4 } });
    tight.check("g", [], trap("value_stack_exhausted"), { v8: false });
    tight.assertClean();
    const rec = await Pair.create("vstack-rec", src, { limits: { maxValueStack: 1000, maxCallDepth: 100000 } });
    rec.check("rec", [i32(10)], ok(i32(10)));
    rec.check("rec", [i32(5000)], trap("value_stack_exhausted"), { v8: false });
    rec.check("rec", [i32(10)], ok(i32(10)));
    rec.assertClean();
  });

  it("V8's own stack overflow maps to call_stack_exhausted", async () => {
    const bytes = await wat(recSrc);
    const v = V8Machine.instantiate(bytes).invoke("rec", [i32(10_000_000)]);
    expect(diffExpect(v, trap("call_stack_exhausted"))).toBeUndefined();
  });
});

describe("call_indirect", () => {
  it("ok, null entry, wrong type, index out of the table", async () => {
    const src = `(module
      (type $r (func (result i32)))
      (type $p (func (param i32) (result i32)))
      (type $r2 (func (result i32)))
      (table 6 funcref)
      (func $f1 (type $r) i32.const 1)
      (func $f2 (type $r2) i32.const 2)
      (func $g (type $p) local.get 0 i32.const 10 i32.mul)
      (func $h (param i64) (result i64) local.get 0)
      (elem (i32.const 0) $f1 $f2 $g $h)
      (elem (i32.const 5) $f1)
      (func (export "callr") (param i32) (result i32) local.get 0 call_indirect (type $r))
      (func (export "callp") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $p))
      (func (export "call64") (param i32 i64) (result i64) local.get 1 local.get 0 call_indirect (param i64) (result i64)))`;
    const p = await Pair.create("call_indirect", src);
    p.check("callr", [i32(0)], ok(i32(1)));
    p.check("callr", [i32(1)], ok(i32(2))); // structurally equal type
    p.check("callr", [i32(5)], ok(i32(1)));
    p.check("callr", [i32(2)], trap("indirect_call_type_mismatch"));
    p.check("callr", [i32(3)], trap("indirect_call_type_mismatch"));
    p.check("callr", [i32(4)], trap("indirect_call_null"));
    p.check("callr", [i32(6)], trap("out_of_bounds_table"));
    p.check("callr", [i32(-1)], trap("out_of_bounds_table"));
    p.check("callr", [i32(MIN)], trap("out_of_bounds_table"));
    p.check("callp", [i32(2), i32(7)], ok(i32(70)));
    p.check("callp", [i32(0), i32(7)], trap("indirect_call_type_mismatch"));
    p.check("callp", [i32(4), i32(7)], trap("indirect_call_null"));
    p.check("call64", [i32(3), i64(LMIN)], ok(i64(LMIN)));
    p.check("call64", [i32(0), i64(1n)], trap("indirect_call_type_mismatch"));
    p.assertClean();
  });
});

describe("globals and locals", () => {
  it("mutable globals persist across invokes and traps", async () => {
    const src = `(module
      (global $g (mut i32) (i32.const 10))
      (global $h (mut i64) (i64.const -5))
      (global $c i32 (i32.const 42))
      (global $d i64 (i64.const 0x123456789))
      (func (export "inc") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g)
      (func (export "geth") (result i64) global.get $h)
      (func (export "seth") (param i64) local.get 0 global.set $h)
      (func (export "consts") (result i32 i64) global.get $c global.get $d)
      (func (export "incthentrap") global.get $g i32.const 1 i32.add global.set $g unreachable))`;
    const p = await Pair.create("globals", src);
    p.check("inc", [], ok(i32(11)));
    p.check("inc", [], ok(i32(12)));
    p.check("geth", [], ok(i64(-5n)));
    p.check("seth", [i64(LMIN)], ok());
    p.check("geth", [], ok(i64(LMIN)));
    p.check("seth", [i64(0xffffffffn)], ok());
    p.check("geth", [], ok(i64(0xffffffffn)));
    p.check("consts", [], ok(i32(42), i64(0x123456789n)));
    // global.set before the trap is a completed instruction: it stays.
    p.check("incthentrap", [], trap("unreachable"));
    p.check("inc", [], ok(i32(14)));
    p.assertClean();
  });

  it("locals: zero-initialised on every entry, tee, params as locals", async () => {
    const src = `(module
      (func (export "zeros") (param i32 i64) (result i32 i64 i32 i64) (local i32 i64)
        local.get 0 local.get 1 local.get 2 local.get 3)
      (func $dirty (param i32) (result i32) (local $x i32)
        local.get $x local.get 0 local.set $x)
      (func (export "dirty") (param i32) (result i32) local.get 0 call $dirty drop local.get 0 call $dirty)
      (func (export "tee") (param i32) (result i32) (local i32) local.get 0 local.tee 1 local.get 1 i32.add)
      (func (export "setparam") (param i64) (result i64) i64.const 7 local.set 0 local.get 0)
      ;; many locals of both types
      (func (export "many") (param i32) (result i64) (local i64 i64 i32 i32 i64 i64 i64 i64 i32)
        local.get 0 i64.extend_i32_u local.set 6 local.get 6 local.get 7 i64.add local.get 9 i32.eqz i64.extend_i32_u i64.add))`;
    const p = await Pair.create("locals", src);
    p.check("zeros", [i32(-1), i64(-1n)], ok(i32(-1), i64(-1n), i32(0), i64(0n)));
    p.check("dirty", [i32(9)], ok(i32(0)));
    p.check("tee", [i32(21)], ok(i32(42)));
    p.check("setparam", [i64(LMIN)], ok(i64(7n)));
    p.check("many", [i32(-1)], ok(i64(0x100000000n)));
    p.assertClean();
  });
});

// ---------------------------------------------------------------------------
// Bulk memory and tables

/** FNV-1a over bytes, as the Wasm `hash` helper below computes it. */
function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5 | 0;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h | 0;
}
const HASH_FUNC = `
  (func (export "hash") (param $p i32) (param $n i32) (result i32) (local $h i32)
    i32.const 0x811c9dc5 local.set $h
    (block $done (loop $l
      local.get $n i32.eqz br_if $done
      local.get $h local.get $p i32.load8_u i32.xor i32.const 0x01000193 i32.mul local.set $h
      local.get $p i32.const 1 i32.add local.set $p
      local.get $n i32.const 1 i32.sub local.set $n
      br $l))
    local.get $h)`;

const PATTERN = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 255);
const SEGMENT = Uint8Array.from({ length: 100 }, (_, i) => (i * 101 + 3) & 255);

describe("bulk memory", () => {
  const src = `(module (memory 1 1)
    (data (i32.const 0) "${watBytes(PATTERN)}")
    (data $p "${watBytes(SEGMENT)}")
    (data $a (i32.const 60000) "active")
    (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
    (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
    (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $p)
    (func (export "init_a") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $a)
    (func (export "drop") data.drop $p)
    (func (export "drop_a") data.drop $a)
    ${HASH_FUNC})`;

  /** Checks the regions [0, 600) and the last 64 bytes against the model. */
  function checkMemory(p: Pair, mem: Uint8Array): void {
    p.check("hash", [i32(0), i32(600)], ok(i32(fnv(mem.subarray(0, 600)))));
    p.check("hash", [i32(PAGE - 64), i32(64)], ok(i32(fnv(mem.subarray(PAGE - 64)))));
  }

  it("memory.copy: disjoint, overlapping in both directions, across 32-byte leaves, bounds", async () => {
    const p = await Pair.create("memory.copy", src);
    const mem = new Uint8Array(PAGE);
    mem.set(PATTERN);
    mem.set(new TextEncoder().encode("active"), 60000);
    checkMemory(p, mem);
    const copies: [number, number, number][] = [
      [300, 0, 100], // disjoint
      [10, 5, 100], // overlapping, dst > src (backward)
      [5, 10, 100], // overlapping, dst < src (forward)
      [33, 1, 64], // backward, different leaf alignment
      [1, 33, 64], // forward, different leaf alignment
      [64, 32, 96], // backward, same leaf alignment
      [32, 64, 96], // forward, same leaf alignment
      [7, 7, 50], // dst == src
      [400, 0, 0], // empty
      [PAGE - 10, 0, 10], // ends at the last byte
      [0, PAGE - 10, 10],
      [PAGE, 0, 0], // empty at the end: ok
      [0, PAGE, 0],
    ];
    for (const [d, s, n] of copies) {
      p.check("copy", [i32(d), i32(s), i32(n)], ok());
      mem.copyWithin(d, s, s + n);
      checkMemory(p, mem);
    }
    const bad: [number, number, number][] = [
      [PAGE - 10, 0, 11],
      [0, PAGE - 10, 11],
      [PAGE + 1, 0, 0],
      [0, PAGE + 1, 0],
      [0, 0, -1],
      [-1, 0, 1],
      [1, 0, PAGE],
    ];
    for (const [d, s, n] of bad) {
      p.check("copy", [i32(d), i32(s), i32(n)], trap("out_of_bounds_memory"));
      checkMemory(p, mem); // nothing written
    }
    p.assertClean();
  });

  it("memory.fill: values, bounds, no partial write", async () => {
    const p = await Pair.create("memory.fill", src);
    const mem = new Uint8Array(PAGE);
    mem.set(PATTERN);
    mem.set(new TextEncoder().encode("active"), 60000);
    const fills: [number, number, number][] = [
      [7, 0xab, 50],
      [100, 0x1ff, 3], // the value is truncated to its low byte
      [31, -1, 2],
      [200, 0, 200],
      [PAGE - 6, 1, 6],
      [PAGE, 0, 0],
      [500, 9, 0],
    ];
    for (const [d, v, n] of fills) {
      p.check("fill", [i32(d), i32(v), i32(n)], ok());
      mem.fill(v & 255, d, d + n);
      checkMemory(p, mem);
    }
    for (const [d, v, n] of [[PAGE - 6, 2, 7], [PAGE + 1, 0, 0], [0, 3, -1], [-1, 3, 1]] as const) {
      p.check("fill", [i32(d), i32(v), i32(n)], trap("out_of_bounds_memory"));
      checkMemory(p, mem);
    }
    p.assertClean();
  });

  it("memory.init and data.drop: bounds in the segment and in memory, dropped and active segments", async () => {
    const p = await Pair.create("memory.init", src);
    const mem = new Uint8Array(PAGE);
    mem.set(PATTERN);
    mem.set(new TextEncoder().encode("active"), 60000);
    const inits: [number, number, number][] = [
      [50, 10, 40],
      [0, 90, 10], // ends at the segment's end
      [PAGE - 6, 0, 6],
      [0, 100, 0], // empty at the segment's end
      [PAGE, 0, 0],
      [333, 0, 100],
    ];
    for (const [d, s, n] of inits) {
      p.check("init", [i32(d), i32(s), i32(n)], ok());
      mem.set(SEGMENT.subarray(s, s + n), d);
      checkMemory(p, mem);
    }
    for (const [d, s, n] of [[0, 91, 10], [0, 101, 0], [PAGE - 6, 0, 7], [PAGE + 1, 0, 0], [0, 0, -1], [0, -1, 1]] as const) {
      p.check("init", [i32(d), i32(s), i32(n)], trap("out_of_bounds_memory"));
      checkMemory(p, mem);
    }
    // Active segments are dropped after instantiation.
    p.check("init_a", [i32(0), i32(0), i32(0)], ok());
    p.check("init_a", [i32(0), i32(0), i32(1)], trap("out_of_bounds_memory"));
    p.check("drop_a", [], ok());
    // A dropped segment has length 0.
    p.check("drop", [], ok());
    p.check("init", [i32(0), i32(0), i32(0)], ok());
    p.check("init", [i32(0), i32(0), i32(1)], trap("out_of_bounds_memory"));
    p.check("init", [i32(0), i32(1), i32(0)], trap("out_of_bounds_memory"));
    p.check("drop", [], ok()); // dropping twice is fine
    checkMemory(p, mem);
    p.assertClean();
  });
});

describe("tables: table.init, table.copy, elem.drop", () => {
  const src = `(module
    (type $r (func (result i32)))
    (type $p (func (param i32) (result i32)))
    (table 10 funcref)
    (func $f1 (type $r) i32.const 1)
    (func $f2 (type $r) i32.const 2)
    (func $f3 (type $r) i32.const 3)
    (func $f4 (type $r) i32.const 4)
    (func $g (type $p) local.get 0)
    (elem $e func $f1 $f2 $f3 $f4)
    (elem $a (i32.const 0) func $f1 $g)
    (elem $n funcref (ref.null func) (ref.func $f2) (ref.func $g))
    (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $r))
    (func (export "init_e") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $e)
    (func (export "init_a") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $a)
    (func (export "init_n") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $n)
    (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy)
    (func (export "drop_e") elem.drop $e)
    (func (export "drop_a") elem.drop $a))`;
  type Entry = "f1" | "f2" | "f3" | "f4" | "g" | null;
  const E: Entry[] = ["f1", "f2", "f3", "f4"];
  const N: Entry[] = [null, "f2", "g"];

  function expectCall(t: Entry[], i: number): Expectation {
    if (i >= t.length) return trap("out_of_bounds_table");
    const e = t[i];
    if (e === null || e === undefined) return trap("indirect_call_null");
    if (e === "g") return trap("indirect_call_type_mismatch");
    return ok(i32(Number(e.slice(1))));
  }
  function checkTable(p: Pair, t: Entry[]): void {
    for (let i = 0; i <= t.length; i++) p.check("call", [i32(i)], expectCall(t, i));
  }

  it("table.init, table.copy (both directions), bounds, no partial change, elem.drop", async () => {
    const p = await Pair.create("table", src);
    const t: Entry[] = ["f1", "g", null, null, null, null, null, null, null, null];
    checkTable(p, t);
    const apply = (name: string, d: number, s: number, n: number, seg?: Entry[]) => {
      p.check(name, [i32(d), i32(s), i32(n)], ok());
      if (seg) for (let k = 0; k < n; k++) t[d + k] = seg[s + k]!;
      else {
        const tmp = t.slice(s, s + n);
        for (let k = 0; k < n; k++) t[d + k] = tmp[k]!;
      }
      checkTable(p, t);
    };
    apply("init_e", 2, 1, 3, E);
    apply("init_e", 6, 0, 4, E); // ends at the table's end and the segment's end
    apply("init_n", 0, 0, 3, N);
    apply("copy", 3, 2, 4); // overlapping, dst > src
    apply("copy", 1, 3, 5); // overlapping, dst < src
    apply("copy", 9, 0, 1);
    apply("copy", 10, 0, 0);
    apply("init_e", 10, 4, 0, E);
    const bad: [string, number, number, number][] = [
      ["init_e", 7, 0, 4], // beyond the table
      ["init_e", 0, 1, 4], // beyond the segment
      ["init_e", 11, 0, 0],
      ["init_e", 0, 5, 0],
      ["init_e", 0, 0, -1],
      ["copy", 8, 0, 3],
      ["copy", 0, 8, 3],
      ["copy", 11, 0, 0],
      ["copy", 0, 11, 0],
      ["copy", 0, 0, -1],
    ];
    for (const [name, d, s, n] of bad) {
      p.check(name, [i32(d), i32(s), i32(n)], trap("out_of_bounds_table"));
      checkTable(p, t);
    }
    // Active segments are dropped after instantiation; elem.drop makes a segment empty.
    p.check("init_a", [i32(0), i32(0), i32(0)], ok());
    p.check("init_a", [i32(0), i32(0), i32(1)], trap("out_of_bounds_table"));
    p.check("drop_a", [], ok());
    p.check("drop_e", [], ok());
    p.check("init_e", [i32(0), i32(0), i32(0)], ok());
    p.check("init_e", [i32(0), i32(0), i32(1)], trap("out_of_bounds_table"));
    p.check("drop_e", [], ok());
    checkTable(p, t);
    p.assertClean();
  });
});

// ---------------------------------------------------------------------------
// Host API

const INPUT = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + (i >> 3)) & 255);

describe("host API: input and output", () => {
  const src = `(module
    (import "task" "input_size" (func $isz (result i32)))
    (import "task" "input_read" (func $ird (param i32 i32 i32)))
    (import "task" "output_write" (func $ow (param i32 i32)))
    (memory 1 1)
    (func (export "size") (result i32) call $isz)
    (func (export "read") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 call $ird)
    (func (export "write") (param i32 i32) local.get 0 local.get 1 call $ow)
    (func (export "writeN") (param i32 i32 i32)
      (block $done (loop $l
        local.get 2 i32.eqz br_if $done
        local.get 0 local.get 1 call $ow
        local.get 2 i32.const 1 i32.sub local.set 2
        br $l)))
    (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
    ${HASH_FUNC})`;

  it("input_size and input_read: bounds on the input (checked first) and on memory", async () => {
    const p = await Pair.create("input", src, { input: INPUT });
    const mem = new Uint8Array(PAGE);
    const checkMem = () => {
      p.check("hash", [i32(0), i32(1100)], ok(i32(fnv(mem.subarray(0, 1100)))));
      p.check("hash", [i32(PAGE - 64), i32(64)], ok(i32(fnv(mem.subarray(PAGE - 64)))));
    };
    p.check("size", [], ok(i32(1000)));
    const reads: [number, number, number][] = [
      [7, 13, 900], // unaligned, many 32-byte leaves
      [0, 0, 1000],
      [64, 32, 32],
      [0, 1000, 0],
      [PAGE - 6, 994, 6],
      [PAGE, 0, 0],
    ];
    for (const [d, o, n] of reads) {
      p.check("read", [i32(d), i32(o), i32(n)], ok());
      mem.set(INPUT.subarray(o, o + n), d);
      checkMem();
    }
    const bad: [number, number, number, "input_out_of_bounds" | "out_of_bounds_memory"][] = [
      [0, 1001, 0, "input_out_of_bounds"],
      [0, 990, 11, "input_out_of_bounds"],
      [0, -1, 2, "input_out_of_bounds"], // offset + len overflows 32 bits: no wrap
      [0, 0, -1, "input_out_of_bounds"],
      [PAGE - 6, 0, 7, "out_of_bounds_memory"],
      [-1, 0, 1, "out_of_bounds_memory"],
      [PAGE + 1, 0, 0, "out_of_bounds_memory"],
      [PAGE - 6, 995, 7, "input_out_of_bounds"], // both out: the input is checked first
    ];
    for (const [d, o, n, code] of bad) {
      p.check("read", [i32(d), i32(o), i32(n)], trap(code));
      checkMem();
    }
    p.assertClean();

    const empty = await Pair.create("input-empty", src);
    empty.check("size", [], ok(i32(0)));
    empty.check("read", [i32(0), i32(0), i32(0)], ok());
    empty.check("read", [i32(0), i32(0), i32(1)], trap("input_out_of_bounds"));
    empty.assertClean();
  });

  it("output_write: appends, bounds, maxOutputBytes", async () => {
    const p = await Pair.create("output", src, { input: INPUT });
    p.check("read", [i32(0), i32(0), i32(1000)], ok());
    p.check("write", [i32(0), i32(4)], { ...ok(), output: INPUT.subarray(0, 4) });
    p.check("write", [i32(5), i32(100)], { ...ok(), output: INPUT.subarray(5, 105) });
    p.check("writeN", [i32(3), i32(40), i32(3)], {
      ...ok(),
      output: Uint8Array.from([...INPUT.subarray(3, 43), ...INPUT.subarray(3, 43), ...INPUT.subarray(3, 43)]),
    });
    p.check("write", [i32(PAGE), i32(0)], { ...ok(), output: new Uint8Array(0) });
    p.check("write", [i32(PAGE - 6), i32(7)], { ...trap("out_of_bounds_memory"), output: new Uint8Array(0) });
    p.check("write", [i32(-1), i32(2)], trap("out_of_bounds_memory"));
    p.check("write", [i32(0), i32(-1)], trap("out_of_bounds_memory"));
    p.assertClean();

    const lim = await Pair.create("output-limit", src, { input: INPUT, limits: { maxOutputBytes: 10 } });
    lim.check("read", [i32(0), i32(0), i32(1000)], ok());
    const twice = (n: number) => Uint8Array.from([...INPUT.subarray(0, n), ...INPUT.subarray(0, n)]);
    lim.check("writeN", [i32(0), i32(5), i32(2)], { ...ok(), output: twice(5) }); // exactly the limit
    lim.check("writeN", [i32(0), i32(4), i32(3)], { ...trap("output_limit"), output: twice(4) });
    lim.check("write", [i32(0), i32(11)], { ...trap("output_limit"), output: new Uint8Array(0) });
    lim.check("write", [i32(PAGE - 6), i32(7)], trap("out_of_bounds_memory"));
    lim.assertClean();
  });

  it("task form: start and run both write output; a trap keeps the output so far", async () => {
    const src2 = `(module
      (import "task" "output_write" (func $ow (param i32 i32)))
      (import "task" "input_size" (func $isz (result i32)))
      (memory 1)
      (data (i32.const 0) "SR")
      (func $start i32.const 0 i32.const 1 call $ow)
      (func (export "run") i32.const 1 i32.const 1 call $ow
        call $isz if unreachable end)
      (start $start))`;
    const [m, v] = await taskPair(src2);
    expect([diffRuns(m, v), diffExpect(m, { ...ok(), output: new TextEncoder().encode("SR") })], fmtResult(m)).toEqual([undefined, undefined]);
    const [m2, v2] = await taskPair(src2, { input: Uint8Array.of(1) });
    expect([diffRuns(m2, v2), diffExpect(m2, { ...trap("unreachable"), output: new TextEncoder().encode("SR") })], fmtResult(m2)).toEqual([
      undefined,
      undefined,
    ]);
  });
});

// ---------------------------------------------------------------------------
// Step counts (spec/EXECUTION.md sections 3, 5, 6). V8 does not count steps.

describe("step counts (spec/EXECUTION.md)", () => {
  const src = `(module
    (import "task" "input_read" (func $ird (param i32 i32 i32)))
    (import "task" "output_write" (func $ow (param i32 i32)))
    (memory 1)
    (table 2 funcref)
    (elem $e func $k $k)
    (func $k (result i32) i32.const 1)
    (func (export "nop"))
    (func (export "add") (result i32) i32.const 1 i32.const 2 i32.add)
    (func (export "addnops") (result i32) nop (block nop (loop nop)) i32.const 1 i32.const 2 i32.add)
    (func (export "ifelse") (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end)
    (func (export "call") (result i32) call $k)
    (func (export "br_table") (param i32) (result i32)
      (block $a (block $b local.get 0 br_table $a $b $a) i32.const 5 return) i32.const 6)
    (func (export "loop") (param i32) (local i32)
      (loop $l local.get 1 i32.const 1 i32.add local.tee 1 local.get 0 i32.lt_u br_if $l))
    (func (export "unreachable") unreachable)
    (func (export "div0") (result i32) i32.const 1 i32.const 0 i32.div_u)
    (func (export "fill") (param i32 i32) local.get 0 i32.const 7 local.get 1 memory.fill)
    (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
    (func (export "read") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 call $ird)
    (func (export "write") (param i32 i32) local.get 0 local.get 1 call $ow)
    (func (export "tinit") (param i32) i32.const 0 i32.const 0 local.get 0 table.init $e))`;

  /** Number of leaf boundaries strictly inside (x, x+n). */
  const B = (x: number, n: number) => Math.floor((x + n - 1) / 32) - Math.floor(x / 32);
  const chunks = (dst: number, src: number, n: number) =>
    n === 0 ? 1 : 1 + B(dst, n) + B(src, n) - ((dst - src) % 32 === 0 ? B(dst, n) : 0);

  it("straight-line code, structured control, calls, traps, micro-stepped bulk operations", async () => {
    const cm = await loadModule(await wat(src));
    const input = Uint8Array.from({ length: 300 }, (_, i) => i & 255);
    const m = Machine.instantiate(cm, { input });
    const problems: string[] = [];
    const steps = (name: string, args: Value[], e: Expectation) => {
      const res = m.invoke(name, args);
      const d = diffExpect(res, e);
      if (d) problems.push(`${name}${fmtValues(args)}: ${d}: ${fmtResult(res)} steps=${res.steps}, expected steps=${e.steps}`);
    };
    // An invocation starts with pc at its bootstrap `call f` (section 6:
    // "pc at the bootstrap"; the task form counts its `call run` the same
    // way), the function's final `end` is a `return`, then `finish` runs:
    // C = 3 steps of overhead for every invocation that finishes.
    const C = 3;
    steps("nop", [], { ...ok(), steps: C });
    steps("add", [], { ...ok(i32(3)), steps: 3 + C });
    steps("addnops", [], { ...ok(i32(3)), steps: 3 + C }); // nop/block/loop/end are not steps
    steps("ifelse", [i32(1)], { ...ok(i32(1)), steps: 4 + C }); // get, br_unless, const, br (else)
    steps("ifelse", [i32(0)], { ...ok(i32(2)), steps: 3 + C }); // get, br_unless (taken), const
    steps("call", [], { ...ok(i32(1)), steps: 3 + C }); // call, const, return
    steps("br_table", [i32(0)], { ...ok(i32(6)), steps: 3 + C }); // get, br_table, const
    steps("br_table", [i32(1)], { ...ok(i32(5)), steps: 3 + C }); // get, br_table, const, (explicit return instead of the final one)
    steps("loop", [i32(3)], { ...ok(), steps: 3 * 7 + C });
    steps("unreachable", [], { ...trap("unreachable"), steps: 1 + 1 }); // call, unreachable
    steps("div0", [], { ...trap("int_divide_by_zero"), steps: 1 + 3 });
    for (const [d, n] of [[0, 0], [5, 100], [0, 32], [31, 2], [32, 32], [1, 200]] as const) {
      steps("fill", [i32(d), i32(n)], { ...ok(), steps: 3 + (n === 0 ? 1 : 1 + B(d, n)) + C });
    }
    steps("fill", [i32(PAGE - 1), i32(2)], { ...trap("out_of_bounds_memory"), steps: 1 + 4 });
    for (const [d, s, n] of [[300, 0, 100], [10, 5, 100], [5, 10, 100], [64, 0, 64], [33, 1, 64], [7, 7, 0]] as const) {
      steps("copy", [i32(d), i32(s), i32(n)], { ...ok(), steps: 3 + chunks(d, s, n) + C });
    }
    for (const [d, o, n] of [[0, 0, 64], [7, 13, 200], [100, 0, 0]] as const) {
      steps("read", [i32(d), i32(o), i32(n)], { ...ok(), steps: 3 + chunks(d, o, n) + C });
    }
    // Output leaves are positioned at the current output length (0 here).
    for (const [s, n] of [[0, 64], [5, 100], [0, 0]] as const) {
      steps("write", [i32(s), i32(n)], { ...ok(), steps: 2 + chunks(0, s, n) + C });
    }
    steps("tinit", [i32(2)], { ...ok(), steps: 3 + 2 + C });
    steps("tinit", [i32(0)], { ...ok(), steps: 3 + 1 + C });
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("task bootstrap and maxSteps", async () => {
    const cm = await loadModule(
      await wat(`(module (global $g (mut i32) (i32.const 0))
        (func $s i32.const 1 global.set $g)
        (func (export "run") (loop $l br $l))
        (start $s))`),
    );
    // call start (1), const, global.set, return (3), call run (1), then the loop: `br` forever.
    for (const maxSteps of [1, 5, 6, 100]) {
      const r = Machine.forTask(cm, { limits: { maxSteps } }).run();
      expect({ status: r.status, steps: r.steps }).toEqual({ status: "out_of_steps", steps: maxSteps });
    }
    const cm2 = await loadModule(await wat(`(module (func (export "run")))`));
    const r2 = Machine.forTask(cm2).run();
    expect({ status: r2.status, steps: r2.steps }).toEqual({ status: "finished", steps: 3 }); // call run, return, finish
    const r3 = Machine.forTask(cm2, { limits: { maxSteps: 3 } }).run();
    expect({ status: r3.status, steps: r3.steps }).toEqual({ status: "finished", steps: 3 });
    const r4 = Machine.forTask(cm2, { limits: { maxSteps: 2 } }).run();
    expect({ status: r4.status, steps: r4.steps }).toEqual({ status: "out_of_steps", steps: 2 });
  });
});

// ---------------------------------------------------------------------------
// Validation corner cases the machine must accept, exported host functions,
// instantiation

describe("validation corners and exported host functions", () => {
  it("dead code after br/return/unreachable, if with params and no else, many params and results", async () => {
    const src = `(module
      (import "task" "input_size" (func $isz (result i32)))
      (import "task" "output_write" (func $ow (param i32 i32)))
      (memory 1)
      (data (i32.const 0) "hello")
      (export "isz" (func $isz))
      (export "ow" (func $ow))
      (func (export "ifparam") (param i32 i32) (result i32)
        local.get 0 local.get 1 if (param i32) (result i32) i32.const 1 i32.add end)
      (func (export "dead1") (result i32) i32.const 1 return i64.const 0 i32.wrap_i64)
      (func (export "dead2") (result i32) (block (result i32) i32.const 7 br 0 select))
      (func (export "dead3") (result i64) unreachable i64.add)
      (func (export "dead4") (param i32) (result i32)
        (block $b (result i32) local.get 0 local.get 0 br_table $b $b unreachable drop))
      (func (export "many") (param i32 i64 i32 i64 i32 i64 i32 i64 i32 i64 i32 i64) (result i64 i32 i64)
        local.get 11 local.get 10 local.get 1))`;
    const p = await Pair.create("corners", src, { input: Uint8Array.of(1, 2, 3) });
    p.check("isz", [], ok(i32(3)));
    p.check("ow", [i32(1), i32(3)], { ...ok(), output: new TextEncoder().encode("ell") });
    p.check("ow", [i32(PAGE), i32(1)], trap("out_of_bounds_memory"));
    p.check("ifparam", [i32(5), i32(1)], ok(i32(6)));
    p.check("ifparam", [i32(5), i32(0)], ok(i32(5)));
    p.check("dead1", [], ok(i32(1)));
    p.check("dead2", [], ok(i32(7)));
    p.check("dead3", [], trap("unreachable"));
    p.check("dead4", [i32(3)], ok(i32(3)));
    const args = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12].map((v, k) => (k % 2 ? i64(v) : i32(v)));
    p.check("many", args, ok(i64(-12n), i32(11), i64(2n)));
    p.assertClean();
  });
});

describe("instantiation", () => {
  it("active segments apply in order (later ones overwrite), start function runs first", async () => {
    const src = `(module
      (type $r (func (result i32)))
      (memory 1)
      (table 3 funcref)
      (global $g (mut i32) (i32.const 0))
      (data (i32.const 0) "aaaa")
      (data (i32.const 2) "bb")
      (data (i32.const 65536) "")
      (func $one (type $r) i32.const 1)
      (func $two (type $r) i32.const 2)
      (elem (i32.const 0) $one $one $one)
      (elem (i32.const 1) $two)
      (elem (i32.const 3))
      (func $start global.get $g i32.const 10 i32.add global.set $g)
      (start $start)
      (func (export "g") (result i32) global.get $g)
      (func (export "load") (result i64) i32.const 0 i64.load)
      (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $r)))`;
    const p = await Pair.create("init-order", src);
    p.check("g", [], ok(i32(10)));
    p.check("load", [], ok(i64(0x62626161n)));
    p.check("call", [i32(0)], ok(i32(1)));
    p.check("call", [i32(1)], ok(i32(2)));
    p.check("call", [i32(2)], ok(i32(1)));
    p.assertClean();
  });

  it("a trapping start function: the task traps, its output so far is kept", async () => {
    const src = `(module
      (import "task" "output_write" (func $ow (param i32 i32)))
      (memory 1)
      (data (i32.const 0) "S")
      (func $start i32.const 0 i32.const 1 call $ow i32.const 1 i32.const 0 i32.div_s drop)
      (start $start)
      (func (export "run")))`;
    const [m, v] = await taskPair(src);
    expect([diffRuns(m, v), diffExpect(m, { ...trap("int_divide_by_zero"), output: new TextEncoder().encode("S") })], fmtResult(m)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("segments out of bounds and memory above maxMemoryPages fail instantiation on both engines", async () => {
    const cases: [string, Partial<Limits> | undefined][] = [
      [`(module (memory 1) (data (i32.const 65535) "ab"))`, undefined],
      [`(module (memory 1) (data (i32.const 65537) ""))`, undefined],
      [`(module (table 2 funcref) (func $f) (elem (i32.const 1) $f $f))`, undefined],
      [`(module (memory 3))`, { maxMemoryPages: 2 }],
    ];
    const problems: string[] = [];
    for (const [src, limits] of cases) {
      const bytes = await wat(src);
      let machineFailed = false;
      try {
        Machine.instantiate(await loadModule(bytes), limits ? { limits } : {});
      } catch (err) {
        machineFailed = err instanceof Error && "kind" in err;
        if (!machineFailed) problems.push(`${src}: machine threw a non-StepperError: ${String(err)}`);
      }
      if (!machineFailed) problems.push(`${src}: machine instantiated`);
      if (!limits) {
        let v8Failed = false;
        try {
          V8Machine.instantiate(bytes);
        } catch {
          v8Failed = true;
        }
        if (!v8Failed) problems.push(`${src}: V8 instantiated (check the test)`);
      }
    }
    expect(problems).toEqual([]);
  });
});
