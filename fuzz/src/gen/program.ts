/**
 * Random VALID task modules, as WebAssembly text (readable when printed as a counterexample).
 *
 * A stack-typed generator: every expression is generated for the type it must leave on the
 * stack (`i32` or `i64`), every statement leaves the stack as it found it, and labels carry the
 * types a branch to them must supply. So every generated module validates, and every instruction
 * of the supported subset (spec/EXECUTION.md section 1) can be reached: the integer operators,
 * loads and stores of every width, memory.size/grow, bulk memory with active and passive data
 * segments and data.drop, table.copy/init and elem.drop, locals, globals, select, nested
 * block/loop/if with multi-value block types (results and params), br/br_if/br_table keeping and
 * dropping values, return, direct calls, call_indirect through a table with null entries and
 * functions of other types, recursion, unreachable, and the task host API.
 *
 * The module is decoded from a choice stream (./choices.ts), so fast-check's shrinking of the
 * stream shrinks the program. Loops are counted (a dedicated counter local), so a run ends; the
 * limits of the task (steps, call depth, value stack, output, memory pages) are drawn with it so
 * that runs reach each limit.
 */
import type { Limits } from "@vwasm/wasm-stepper";
import { I32_BINARY, I32_EDGE, I32_UNARY, I64_EDGE, I64_UNARY } from "@vwasm/wasm-stepper/testing";
import { Choices } from "./choices.ts";

type Ty = "i32" | "i64";

/** A generated task: the module's text, its input and its limits. */
export interface ProgramCase {
  wat: string;
  input: Uint8Array;
  limits: Limits;
}

/** Knobs of the generator (sizes). */
export interface ProgramShape {
  /** Maximal nesting of expressions and statements. */
  maxDepth: number;
  /** Upper bound of instructions emitted per function body (about). */
  fuel: number;
  /** Cap on the task's maxSteps (oracles that prove every step keep runs short). */
  maxSteps?: number;
}

export const DEFAULT_SHAPE: ProgramShape = { maxDepth: 5, fuel: 200 };

const I64_BINARY_ARITH = ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
const I64_COMPARE = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const LOAD32 = ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u"];
const LOAD64 = ["i64.load", "i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u", "i64.load32_s", "i64.load32_u"];
const STORE32 = ["i32.store", "i32.store8", "i32.store16"];
const STORE64 = ["i64.store", "i64.store8", "i64.store16", "i64.store32"];

/**
 * Helper function types (type indices are fixed so call_indirect can name them):
 * $t0 (i32 i32) -> i32, $t1 i64 -> i64, $t2 i32 -> (i32 i64) (multi-value), $t3 [] -> [],
 * $t4 i32 -> i32 (block type with a param).
 */
const TYPES = [
  "(type $t0 (func (param i32 i32) (result i32)))",
  "(type $t1 (func (param i64) (result i64)))",
  "(type $t2 (func (param i32) (result i32 i64)))",
  "(type $t3 (func))",
  "(type $t4 (func (param i32) (result i32)))",
];
const HELPER_TYPES = [0, 1, 2, 3] as const;
const PARAMS: Record<number, Ty[]> = { 0: ["i32", "i32"], 1: ["i64"], 2: ["i32"], 3: [] };
const RESULTS: Record<number, Ty[]> = { 0: ["i32"], 1: ["i64"], 2: ["i32", "i64"], 3: [] };

interface Label {
  name: string;
  /** Types a branch to this label supplies (empty for loops: no branch targets them but the counter). */
  types: Ty[];
  loop: boolean;
}

interface FuncCtx {
  /** Local names by type (params first). */
  locals: Record<Ty, string[]>;
  /** Loop counters (written by their loop only). */
  counters: string[];
  labels: Label[];
  results: Ty[];
  /** Helper index of this function (-1 for run): calls go to lower helpers only, plus $rec. */
  self: number;
  fuel: number;
}

class Gen {
  private labelNo = 0;
  readonly nHelpers: number;
  readonly helperTypes: number[];
  readonly memPages: number;
  readonly memMax: number | undefined;
  readonly tableSize = 6;
  readonly nGlobals = 4;
  readonly passiveData: string[] = [];
  readonly passiveElem = true;

  constructor(
    private readonly c: Choices,
    private readonly shape: ProgramShape,
  ) {
    this.nHelpers = 1 + c.pick(5);
    this.helperTypes = Array.from({ length: this.nHelpers }, () => c.one(HELPER_TYPES));
    this.memPages = c.chance(8) ? 0 : 1 + c.pick(2);
    this.memMax = c.chance(50) ? this.memPages + c.pick(3) : undefined;
    for (let i = 0, n = c.pick(3); i < n; i++) this.passiveData.push(this.bytes(1 + c.pick(70)));
  }

  private bytes(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += `\\${(this.c.pick(256) ^ (i * 37)).toString(16).padStart(2, "0").slice(-2)}`;
    return s;
  }

  private label(ctx: FuncCtx, types: Ty[], loop = false): Label {
    return { name: `$l${this.labelNo++}`, types, loop };
  }

  private const(t: Ty): string {
    if (t === "i32") {
      const v = this.c.chance(50) ? this.c.one(I32_EDGE) : this.c.pick(64);
      return `(i32.const ${v})`;
    }
    const v = this.c.chance(50) ? this.c.one(I64_EDGE) : BigInt(this.c.pick(64));
    return `(i64.const ${v})`;
  }

  /** An address: mostly inside the first page, sometimes anything (out of bounds traps). */
  private addr(ctx: FuncCtx, d: number): string {
    const e = this.expr(ctx, "i32", d + 1);
    if (this.c.chance(4)) return e;
    return `(i32.and ${e} (i32.const ${this.c.chance(5) ? 0x1ffff : this.c.one([0xff, 0x3ff, 0xfff8, 0xffff])}))`;
  }

  /** A length for bulk operations: small, sometimes anything. */
  private len(ctx: FuncCtx, d: number, mask: number): string {
    const e = this.expr(ctx, "i32", d + 1);
    return this.c.chance(90) ? `(i32.and ${e} (i32.const ${mask}))` : e;
  }

  private callable(ctx: FuncCtx, ty: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.nHelpers; k++) if (this.helperTypes[k] === ty && (ctx.self < 0 || k < ctx.self)) out.push(k);
    return out;
  }

  private args(ctx: FuncCtx, types: Ty[], d: number): string {
    return types.map((t) => this.expr(ctx, t, d + 1)).join(" ");
  }

  /** Instructions that push exactly one value of type `t`. */
  expr(ctx: FuncCtx, t: Ty, d: number): string {
    ctx.fuel--;
    const c = this.c;
    if (d >= this.shape.maxDepth || ctx.fuel <= 0) {
      return c.chance(50) && ctx.locals[t].length ? `(local.get ${c.one(ctx.locals[t])})` : this.const(t);
    }
    const e = (tt: Ty = t) => this.expr(ctx, tt, d + 1);
    if (t === "i32") {
      switch (c.pick(25)) {
        case 0: return this.const("i32");
        case 1: return ctx.locals.i32.length ? `(local.get ${c.one(ctx.locals.i32)})` : this.const("i32");
        case 2: return `(global.get ${c.one(["$g0", "$g2"])})`;
        case 3: case 4: return `(i32.${c.one(I32_BINARY)} ${e()} ${e()})`;
        case 5: return `(i32.${c.one(I32_UNARY)} ${e()})`;
        case 6: return c.chance(20) ? `(i64.eqz ${e("i64")})` : `(i64.${c.one(I64_COMPARE)} ${e("i64")} ${e("i64")})`;
        case 7: return `(i32.wrap_i64 ${e("i64")})`;
        case 8: return `(${c.one(LOAD32)} offset=${c.one([0, 1, 7, 32, 65535])} ${this.addr(ctx, d)})`;
        case 9: return c.chance(50) ? "(memory.size)" : `(memory.grow ${c.chance(80) ? `(i32.and ${e()} (i32.const 3))` : e()})`;
        case 10: {
          const fs = this.callable(ctx, 0);
          return fs.length ? `(call $h${c.one(fs)} ${e()} ${e()})` : `(call $rec ${this.recArg(ctx, d)})`;
        }
        case 11: return `(call_indirect (type $t0) ${e()} ${e()} ${this.tableIndex(ctx, d, 0)})`;
        case 12: return `(select ${e()} ${e()} ${e()})`;
        case 13: return `(if (result i32) ${e()} (then ${this.body(ctx, [], d + 1)} ${e()}) (else ${e()}))`;
        case 14: return ctx.locals.i32.length ? `(local.tee ${c.one(ctx.locals.i32)} ${e()})` : this.const("i32");
        case 15: return "(call $input_size)";
        case 16: return this.blockExpr(ctx, d);
        case 17: return this.brTable(ctx, d);
        case 18: return `(block (result i32) (call $mv ${e()}) (drop))`;
        case 19: {
          // a block type with a param (by type index) consuming the value below it
          return `${e()} (block (type $t4) (param i32) (result i32) (i32.${c.one(["add", "xor", "sub"])} ${e()}))`;
        }
        case 20: return `(block (result i32) (block (result i32 i64) ${e()} ${e("i64")}) (drop))`;
        case 21: return `(call $rec ${this.recArg(ctx, d)})`;
        case 22: {
          const fs = this.callable(ctx, 2);
          return fs.length ? `(block (result i32) (call $h${c.one(fs)} ${e()}) (drop))` : `(i32.extend8_s ${e()})`;
        }
        // MIN / -1 or -2: int_overflow half of the time
        case 23: return c.chance(30) ? `(i32.div_s (i32.const -2147483648) (i32.or ${e()} (i32.const -2)))` : `(i64.eqz (i64.div_s (i64.const -9223372036854775808) (i64.or ${e("i64")} (i64.const -2))))`;
        default: return `(i32.${c.one(["add", "sub", "mul", "and", "shl"])} ${e()} ${this.const("i32")})`;
      }
    }
    switch (c.pick(16)) {
      case 0: return this.const("i64");
      case 1: return ctx.locals.i64.length ? `(local.get ${c.one(ctx.locals.i64)})` : this.const("i64");
      case 2: return `(global.get ${c.one(["$g1", "$g3"])})`;
      case 3: case 4: return `(i64.${c.one(I64_BINARY_ARITH)} ${e()} ${e()})`;
      case 5: return `(i64.${c.one(I64_UNARY.filter((o) => o !== "eqz"))} ${e()})`;
      case 6: return `(i64.extend_i32_${c.one(["s", "u"])} ${e("i32")})`;
      case 7: return `(${c.one(LOAD64)} offset=${c.one([0, 3, 8, 4096])} ${this.addr(ctx, d)})`;
      case 8: {
        const fs = this.callable(ctx, 1);
        return fs.length ? `(call $h${c.one(fs)} ${e()})` : `(i64.extend_i32_u ${e("i32")})`;
      }
      case 9: return `(call_indirect (type $t1) ${e()} ${this.tableIndex(ctx, d, 1)})`;
      case 10: return `(select ${e()} ${e()} ${e("i32")})`;
      case 11: return `(if (result i64) ${e("i32")} (then ${e()}) (else ${this.body(ctx, [], d + 1)} ${e()}))`;
      case 12: return ctx.locals.i64.length ? `(local.tee ${c.one(ctx.locals.i64)} ${e()})` : this.const("i64");
      case 13: {
        // multi-value: keep the i64 of an (i32 i64) pair in a local, drop the i32
        const l = this.label(ctx, ["i32", "i64"]);
        return `(block ${l.name} (result i32 i64) ${e("i32")} ${e()} ${e("i32")} (br_if ${l.name})) (local.set $mv_b) (i64.add (i64.extend_i32_u) (local.get $mv_b))`;
      }
      case 14: return `(block (result i64) (call_indirect (type $t2) ${e("i32")} ${this.tableIndex(ctx, d, 2)}) (local.set $mv_b) (drop) (local.get $mv_b))`;
      default: return `(i64.${c.one(["add", "xor", "shl", "shr_u"])} ${e()} ${this.const("i64")})`;
    }
  }

  private recArg(ctx: FuncCtx, d: number): string {
    const e = this.expr(ctx, "i32", d + 1);
    return this.c.chance(80) ? `(i32.and ${e} (i32.const ${this.c.one([3, 15, 255, 4095])}))` : e;
  }

  /** A table index for call_indirect of type `ty`: mostly an entry of that type, sometimes any. */
  private tableIndex(ctx: FuncCtx, d: number, ty: number): string {
    const good: number[] = [];
    for (let k = 0; k < Math.min(this.nHelpers, 4); k++) if (this.helperTypes[k] === ty) good.push(k);
    if (good.length && this.c.chance(80)) return `(i32.const ${this.c.one(good)})`;
    return this.c.chance(70) ? `(i32.const ${this.c.pick(this.tableSize + 2)})` : this.expr(ctx, "i32", d + 1);
  }

  /** A block with a result, statements and branches to it (br_if keeping its value, or br). */
  private blockExpr(ctx: FuncCtx, d: number): string {
    const l = this.label(ctx, ["i32"]);
    ctx.labels.push(l);
    const body = this.body(ctx, [], d + 1);
    const v = this.expr(ctx, "i32", d + 1);
    const exit = this.c.chance(50)
      ? `(drop (br_if ${l.name} ${this.expr(ctx, "i32", d + 1)} ${this.expr(ctx, "i32", d + 1)}))`
      : `(if ${this.expr(ctx, "i32", d + 1)} (then (br ${l.name} ${this.expr(ctx, "i32", d + 1)})))`;
    ctx.labels.pop();
    return `(block ${l.name} (result i32) ${exit} ${body} ${v})`;
  }

  /** br_table over two nested i32 labels (and outer i32 labels), keeping one value and dropping. */
  private brTable(ctx: FuncCtx, d: number): string {
    const a = this.label(ctx, ["i32"]);
    const b = this.label(ctx, ["i32"]);
    const outer = ctx.labels.filter((l) => !l.loop && l.types.length === 1 && l.types[0] === "i32").map((l) => l.name);
    const targets = Array.from({ length: 1 + this.c.pick(4) }, () => this.c.one([a.name, b.name, ...outer]));
    ctx.labels.push(a, b);
    const v = this.expr(ctx, "i32", d + 1);
    const i = this.expr(ctx, "i32", d + 1);
    ctx.labels.pop();
    const after = this.expr(ctx, "i32", d + 1);
    ctx.labels.pop();
    // drop some value under the branch operands so the branch has to drop it
    return `(block ${a.name} (result i32) (drop (block ${b.name} (result i32) (drop (i64.const 7)) (i64.const 9) (drop) (i32.const 5) (br_table ${targets.join(" ")} ${v} ${i}) (drop))) ${after})`;
  }

  /** Statements (each leaves the stack unchanged). */
  body(ctx: FuncCtx, _types: Ty[], d: number): string {
    const out: string[] = [];
    const n = d >= this.shape.maxDepth || ctx.fuel <= 0 ? 0 : this.c.pick(d === 0 ? 14 : 3);
    for (let i = 0; i < n; i++) out.push(this.stmt(ctx, d));
    return out.join(" ");
  }

  stmt(ctx: FuncCtx, d: number): string {
    ctx.fuel--;
    const c = this.c;
    const e = (t: Ty = "i32") => this.expr(ctx, t, d + 1);
    switch (c.pick(27)) {
      case 0: return `(drop ${e(c.one(["i32", "i64"]))})`;
      case 1: {
        const t = c.one<Ty>(["i32", "i64"]);
        return ctx.locals[t].length ? `(local.set ${c.one(ctx.locals[t])} ${e(t)})` : `(drop ${e(t)})`;
      }
      case 2: return c.chance(50) ? `(global.set $g0 ${e()})` : `(global.set $g1 ${e("i64")})`;
      case 3: return `(${c.one(STORE32)} offset=${c.one([0, 2, 64])} ${this.addr(ctx, d)} ${e()})`;
      case 4: return `(${c.one(STORE64)} offset=${c.one([0, 5, 128])} ${this.addr(ctx, d)} ${e("i64")})`;
      case 5: return `(if ${e()} (then ${this.body(ctx, [], d + 1)}) (else ${this.body(ctx, [], d + 1)}))`;
      case 6: {
        const l = this.label(ctx, []);
        ctx.labels.push(l);
        const s = `(block ${l.name} ${this.body(ctx, [], d + 1)} (br_if ${l.name} ${e()}) ${this.body(ctx, [], d + 1)})`;
        ctx.labels.pop();
        return s;
      }
      case 7: return this.loop(ctx, d);
      case 8: return `(memory.fill ${this.addr(ctx, d)} ${e()} ${this.len(ctx, d, 0x7f)})`;
      case 9: return `(memory.copy ${this.addr(ctx, d)} ${this.addr(ctx, d)} ${this.len(ctx, d, 0x7f)})`;
      case 10: {
        if (!this.passiveData.length) return `(memory.fill ${this.addr(ctx, d)} ${e()} ${this.len(ctx, d, 0x3f)})`;
        const s = c.pick(this.passiveData.length);
        return c.chance(20) ? `(data.drop $d${s})` : `(memory.init $d${s} ${this.addr(ctx, d)} ${this.len(ctx, d, 0x3f)} ${this.len(ctx, d, 0x3f)})`;
      }
      case 11: return `(table.copy ${this.len(ctx, d, 7)} ${this.len(ctx, d, 7)} ${this.len(ctx, d, 3)})`;
      case 12: return c.chance(20) ? "(elem.drop $pe)" : `(table.init $pe ${this.len(ctx, d, 7)} ${this.len(ctx, d, 3)} ${this.len(ctx, d, 3)})`;
      case 13: return `(call $input_read ${this.addr(ctx, d)} ${this.len(ctx, d, 0x3f)} ${this.len(ctx, d, 0x3f)})`;
      case 14: case 15: return `(call $output_write ${this.addr(ctx, d)} ${this.len(ctx, d, 0x3f)})`;
      case 16: {
        const fs = this.callable(ctx, 3);
        return fs.length ? `(call $h${c.one(fs)})` : `(call_indirect (type $t3) ${this.tableIndex(ctx, d, 3)})`;
      }
      case 17: return `(call_indirect (type $t3) ${this.tableIndex(ctx, d, 3)})`;
      case 18: return c.chance(10) ? "(unreachable)" : `(if (i32.eqz ${e()}) (then (unreachable)))`;
      case 19: {
        // multi-value results into locals
        const fs = this.callable(ctx, 2);
        const call = fs.length ? `(call $h${c.one(fs)} ${e()})` : `(call $mv ${e()})`;
        return `${call} (local.set $mv_b) (local.set $mv_a)`;
      }
      case 20: {
        // a return out of the middle of the function
        return `(if ${e()} (then (return ${ctx.results.map((t) => this.expr(ctx, t, d + 1)).join(" ")})))`;
      }
      case 21: {
        // a branch out of an enclosing void block
        const voids = ctx.labels.filter((l) => !l.loop && l.types.length === 0);
        return voids.length ? `(br_if ${c.one(voids).name} ${e()})` : `(drop ${e()})`;
      }
      case 22: return `(drop (call $rec ${this.recArg(ctx, d)}))`;
      case 23: {
        // a block with a multi-value type by index, with a param: (i32) -> (i32 i64)
        const l = this.label(ctx, ["i32", "i64"]);
        return `${e()} (block ${l.name} (type $t2) (param i32) (result i32 i64) ${e("i64")} ${e()} (br_if ${l.name}) (drop) (i64.const 1)) (drop) (drop)`;
      }
      case 24: return `(global.set $g0 (i32.add (global.get $g0) ${e()}))`;
      case 25: {
        // br_if to the function's own label (depth 0 at the top level of the body): return_if
        if (d !== 0) return `(drop ${e()})`;
        return `(br_if 0 ${ctx.results.map((t) => this.expr(ctx, t, d + 1)).join(" ")} ${e()})${" (drop)".repeat(ctx.results.length)}`;
      }
      default: return `(drop ${e()})`;
    }
  }

  private loop(ctx: FuncCtx, d: number): string {
    if (ctx.counters.length === 0) return `(drop ${this.expr(ctx, "i32", d + 1)})`;
    const counter = ctx.counters.shift()!;
    const l = this.label(ctx, [], true);
    const exit = this.label(ctx, []);
    ctx.labels.push(exit, l);
    const n = this.c.chance(10) ? 200 + this.c.pick(2000) : 1 + this.c.pick(6);
    const body = this.body(ctx, [], d + 1);
    ctx.labels.pop();
    ctx.labels.pop();
    ctx.counters.unshift(counter);
    return `(local.set ${counter} (i32.const ${n})) (block ${exit.name} (loop ${l.name} ${body} (br_if ${l.name} (local.tee ${counter} (i32.sub (local.get ${counter}) (i32.const 1))))))`;
  }

  func(self: number, ty: number): string {
    const params = self < 0 ? [] : PARAMS[ty]!;
    const results = self < 0 ? [] : RESULTS[ty]!;
    const locals: Record<Ty, string[]> = { i32: [], i64: [] };
    params.forEach((t, i) => locals[t].push(`$p${i}`));
    const decl: string[] = [];
    const nl = this.c.pick(4);
    for (let i = 0; i < nl; i++) {
      const t = this.c.one<Ty>(["i32", "i64"]);
      locals[t].push(`$x${i}`);
      decl.push(`(local $x${i} ${t})`);
    }
    decl.push("(local $mv_a i32) (local $mv_b i64) (local $c0 i32) (local $c1 i32) (local $c2 i32)");
    const ctx: FuncCtx = { locals, counters: ["$c0", "$c1", "$c2"], labels: [], results, self, fuel: this.shape.fuel };
    const body = this.body(ctx, [], 0);
    const res = results.map((t) => this.expr(ctx, t, 1)).join(" ");
    const head = self < 0 ? `(func $run (export "run")` : `(func $h${self} (type $t${ty}) ${params.map((t, i) => `(param $p${i} ${t})`).join(" ")} ${results.length ? `(result ${results.join(" ")})` : ""}`;
    return [`  ${head}`, decl.join(" "), body, res].filter((l) => l.trim() !== "").join("\n    ") + ")";
  }

  module(): string {
    const c = this.c;
    const helpers = this.helperTypes.map((ty, k) => this.func(k, ty));
    const run = this.func(-1, 3);
    // the table: helpers of mixed types at the front, null entries after them
    const active = Array.from({ length: Math.min(this.nHelpers, 4) }, (_, k) => `$h${k}`);
    const passive = Array.from({ length: 1 + c.pick(3) }, () => `$h${c.pick(this.nHelpers)}`);
    const datas: string[] = [];
    if (this.memPages > 0 && c.chance(80)) datas.push(`  (data (i32.const ${c.pick(200)}) "${this.bytes(1 + c.pick(40))}")`);
    this.passiveData.forEach((b, i) => datas.push(`  (data $d${i} "${b}")`));
    const start = c.chance(15) ? `  (start $st)\n  (func $st (global.set $g0 (i32.add (global.get $g0) (i32.const 1))))` : "";
    const finalOut = this.memPages > 0 ? `\n    (i64.store (i32.const 0) (global.get $g1)) (i32.store (i32.const 8) (global.get $g0)) (call $output_write (i32.const 0) (i32.const 16))` : "";
    return [
      "(module",
      ...TYPES.map((t) => `  ${t}`),
      '  (import "task" "input_size" (func $input_size (result i32)))',
      '  (import "task" "input_read" (func $input_read (param i32 i32 i32)))',
      '  (import "task" "output_write" (func $output_write (param i32 i32)))',
      `  (memory ${this.memPages}${this.memMax !== undefined ? ` ${this.memMax}` : ""})`,
      `  (table ${this.tableSize} funcref)`,
      `  (global $g0 (mut i32) ${this.const("i32")})`,
      `  (global $g1 (mut i64) ${this.const("i64")})`,
      `  (global $g2 i32 ${this.const("i32")})`,
      `  (global $g3 i64 ${this.const("i64")})`,
      `  (elem (i32.const 0) func ${active.join(" ")})`,
      `  (elem $pe func ${passive.join(" ")})`,
      ...datas,
      // $rec: recursion as deep as its argument (call depth and value stack limits)
      "  (func $rec (param $n i32) (result i32) (local $pad i64)",
      "    (if (result i32) (local.get $n) (then (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1))))) (else (i32.const 0))))",
      "  (func $mv (type $t2) (param i32) (result i32 i64) (local.get 0) (i64.extend_i32_s (local.get 0)))",
      start,
      ...helpers,
      run.replace(/\)$/, `${finalOut})`),
      ")",
    ]
      .filter((l) => l !== "")
      .join("\n");
  }
}

/** Task limits drawn from the stream: usually generous, sometimes small enough to be hit. */
function drawLimits(c: Choices): Limits {
  return {
    maxSteps: c.chance(25) ? 1 + c.pick(400) : 20_000 + c.pick(60_000),
    maxMemoryPages: c.chance(20) ? c.pick(3) : 4 + c.pick(8),
    maxCallDepth: c.chance(20) ? 1 + c.pick(12) : 200 + c.pick(400),
    maxValueStack: c.chance(15) ? 8 + c.pick(120) : 10_000 + c.pick(50_000),
    maxOutputBytes: c.chance(20) ? c.pick(48) : 4096,
    // drawn last, by drawTableLimit: see there
    maxTableEntries: 1 << 16,
  };
}

/**
 * The table limit, drawn from the END of the stream (after the module), so the streams of older
 * cases still decode to the same module and, when exhausted there, the same limits (2^16). Now
 * and then it is around the module's table size: below it the task is refused at instantiation
 * (a LimitError; the market refuses it too), at or just above it the task runs.
 */
function drawTableLimit(c: Choices, tableSize: number): number {
  return c.chance(8) ? c.pick(tableSize + 2) : 1 << 16;
}

/** Decodes a choice stream (and an input) into a task. Total: every stream gives a valid module. */
export function decodeProgram(choices: readonly number[], input: Uint8Array, shape: ProgramShape = DEFAULT_SHAPE): ProgramCase {
  const c = new Choices(choices);
  const limits = drawLimits(c);
  const g = new Gen(c, shape);
  // A module whose memory does not fit the task's page limit is refused at instantiation (a
  // LimitError): keep that rare so most cases run.
  if (limits.maxMemoryPages < g.memPages && !c.chance(3)) limits.maxMemoryPages = g.memPages;
  const wat = g.module();
  limits.maxTableEntries = drawTableLimit(c, g.tableSize);
  if (shape.maxSteps !== undefined) limits.maxSteps = Math.min(limits.maxSteps, shape.maxSteps);
  return { wat, input, limits };
}
