/**
 * Instrumentation of a validated module for the native engine: the module is
 * re-encoded so that V8 runs it while counting steps exactly as
 * spec/EXECUTION.md defines them (section 3 says which Wasm instructions are
 * steps, section 5 what the micro-stepped ones cost and which limits a call
 * checks).
 *
 * Two variants:
 * - FAST: one counter update per straight-line region and a budget check at
 *   every loop header and function entry. The counter is exact at every
 *   region boundary (a region's cost is added when it starts, and a region
 *   ends at every call, branch and join point), so a check that fires
 *   proves the interpreter reached the step limit at or before that point, and
 *   a host call (which reads the counter) sees the exact step count. Inside a
 *   region the counter is ahead by the rest of the region, so a V8 trap there
 *   has no exact step count: the caller re-runs in the precise variant.
 * - PRECISE: a check and an increment before every step, and the counter
 *   written to its global before every instruction that can trap, so a trap
 *   has its exact step count and the run stops at exactly `maxSteps` (bulk
 *   instructions stop mid-way, chunk by chunk, as the interpreter does).
 *
 * The counter: global `rem` = maxSteps - steps, exact whenever JS or a callee
 * reads it. A function loads it once at entry into a local budget B and counts
 * the steps it consumes (callees included) UP in a local C, both in registers;
 * steps >= maxSteps is C >= B. Before a call, host call, bulk helper or
 * (precise) trapping instruction it stores rem = B - C; on return it stores C
 * in the global `used` and the caller adds it. The caller's C thus never waits
 * on a value it stored itself (a loop calling a small function keeps no
 * store-to-load chain on its critical path: crc32 went from 0.33x to 0.87x of
 * plain V8 with this instead of a count-down passed through `rem`).
 *
 * Where the steps are (EXECUTION.md section 3): nop/block/loop/inner end emit
 * nothing and cost nothing; `if` (br_unless), br, br_if, br_table, return,
 * call, call_indirect and every other instruction cost 1; `else` costs 1 on
 * the fall-through path only (counted at the end of the then-arm); the final
 * `end` costs 1 on the fall-through path only (a branch to the function label
 * is itself the `return`). Host calls and bulk instructions count their own
 * chunks at run time (section 5).
 *
 * A function becomes
 *   [depth check] [value-stack check] B = rem
 *   block $stop
 *     block $body (results)
 *       [FAST: br_if $stop (C >= B)]  BODY   ;; `return` becomes `br $body`
 *     end
 *     used = C; [restore depthLeft]; return
 *   end
 *   rem = B - C; sig = SIG_STOP; unreachable
 * so every way out of the body passes the sync of the counter, and a budget
 * check is a `br_if $stop` (no call: a call inside a loop keeps TurboFan from
 * unrolling it, measured 0.55x on a 30-instruction loop). The call limits
 * (section 5, "Calls") are checked at entry, depth first: `depthLeft` =
 * maxCallDepth - depth, and `fp` = this frame's fp', set by the caller to its
 * own fp + (nlocals + call site height - callee nparams). Either check is
 * left out when static facts prove it can never fire (see native/index.ts).
 *
 * Index stability: everything added (types, functions, globals) is appended
 * after the module's own entries, so no existing index changes and the body
 * instructions keep their immediates. No import is added (that would shift
 * function indices): helpers signal the JS side through the global `sig` and
 * an `unreachable` trap instead of calling JS.
 */
import type { CompiledModule } from "../compile/types.ts";
import { Reader } from "../decode/reader.ts";
import { StepperError } from "../errors.ts";
import { FUNCREF, I32, I64, type ConstExpr, type Module, type ValType } from "../module.ts";
import { ByteWriter } from "./encode.ts";
import { evalConst, globalValues } from "../instantiate.ts";
import * as Op from "../ir/opcodes.ts";
import { callSteps, moveSteps, returnSteps } from "../micro.ts";

export interface InstrumentOptions {
  /** Check and count before every step (exact at traps and at the limit). */
  precise: boolean;
  /** Count frames and trap call_stack_exhausted (EXECUTION.md section 5, "Calls"). */
  trackDepth: boolean;
  /** Track the frame pointer and trap value_stack_exhausted (EXECUTION.md section 5, "Calls"). */
  trackValueStack: boolean;
}

/** Values of the `sig` global when the module stops itself with `unreachable`. */
export const SIG_NONE = 0;
export const SIG_STOP = 1;
export const SIG_CALL_STACK = 2;
export const SIG_VALUE_STACK = 3;

/** Export names of the instrumented module (besides these: the module's functions and globals, see funcExportName and globalExportName). */
export const EXP = {
  rem: "rem",
  used: "used",
  sig: "sig",
  depthLeft: "depthLeft",
  fp: "fp",
  maxVS: "maxVS",
  maxPages: "maxPages",
  idx: "idx",
  memory: "mem",
  table: "tbl",
} as const;

export function funcExportName(index: number): string {
  return `f${index}`;
}

/** Export name of the module's global `index` (read by the native final state, final-state.ts). */
export function globalExportName(index: number): string {
  return `g${index}`;
}

// Wasm opcodes used by the instrumenter.
const UNREACHABLE = 0x00;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const RETURN = 0x0f;
const CALL = 0x10;
const CALL_INDIRECT = 0x11;
const SELECT = 0x1b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const MEMORY_SIZE = 0x3f;
const MEMORY_GROW = 0x40;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I32_EQZ = 0x45;
const I32_EQ = 0x46;
const I32_GE_U = 0x4f;
const I64_GT_S = 0x55;
const I32_GT_U = 0x4b;
const I64_EQZ = 0x50;
const I64_EQ = 0x51;
const I64_LT_U = 0x54;
const I64_GT_U = 0x56;
const I64_LE_S = 0x57;
const I64_GE_S = 0x59;
const I64_LE_U = 0x58;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_AND = 0x71;
const I32_OR = 0x72;
const I32_XOR = 0x73;
const I64_ADD = 0x7c;
const I64_SUB = 0x7d;
const I64_AND = 0x83;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_U = 0xad;
const PREFIX_FC = 0xfc;
const FC_MEMORY_INIT = 8;
const FC_DATA_DROP = 9;
const FC_MEMORY_COPY = 10;
const FC_MEMORY_FILL = 11;
const FC_TABLE_INIT = 12;
const FC_ELEM_DROP = 13;
const FC_TABLE_COPY = 14;
const FC_TABLE_SIZE = 16;
const EMPTY_BT = 0x40;

/** Byte writer with mnemonics for the instructions the instrumenter emits. */
class Asm extends ByteWriter {
  lget(i: number): this {
    return this.u8(LOCAL_GET).u32(i);
  }
  lset(i: number): this {
    return this.u8(LOCAL_SET).u32(i);
  }
  ltee(i: number): this {
    return this.u8(LOCAL_TEE).u32(i);
  }
  gget(i: number): this {
    return this.u8(GLOBAL_GET).u32(i);
  }
  gset(i: number): this {
    return this.u8(GLOBAL_SET).u32(i);
  }
  i32c(v: number): this {
    return this.u8(I32_CONST).s32(v);
  }
  i64c(v: number | bigint): this {
    return this.u8(I64_CONST).s64(BigInt(v));
  }
  call(f: number): this {
    return this.u8(CALL).u32(f);
  }
  /** `local.get i; i64.extend_i32_u` */
  lgetU64(i: number): this {
    return this.lget(i).u8(I64_EXTEND_I32_U);
  }
  /** Pushes the memory size in bytes as i64. */
  memBytes64(): this {
    return this.op(MEMORY_SIZE, 0x00, I64_EXTEND_I32_U).i64c(16).u8(I64_SHL);
  }
  /** Pushes the table size as i64. */
  tableSize64(): this {
    return this.op(PREFIX_FC).u32(FC_TABLE_SIZE).u32(0).u8(I64_EXTEND_I32_U);
  }
}

interface SectionRange {
  start: number;
  end: number;
}

/** Payload ranges of the non-custom sections of a binary (already validated by the decoder). */
function sectionRanges(bytes: Uint8Array): Map<number, SectionRange> {
  const out = new Map<number, SectionRange>();
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    if (id !== 0) out.set(id, { start: r.pos, end: r.pos + size });
    r.pos += size;
  }
  return out;
}

/** A vector section's count and its raw entries. */
function vecEntries(bytes: Uint8Array, range: SectionRange | undefined): { count: number; raw: Uint8Array } {
  if (!range) return { count: 0, raw: new Uint8Array(0) };
  const r = new Reader(bytes, range.start, range.end);
  const count = r.u32();
  return { count, raw: bytes.subarray(r.pos, range.end) };
}

interface Helper {
  index: number;
  type: number;
  build: () => Asm;
}

/** What the JS side needs to know about an instrumented module. */
export interface InstrumentedModule {
  bytes: Uint8Array;
  options: InstrumentOptions;
  /** Deepest nesting of blocks, loops and ifs in any body (V8's compile memory grows with it). */
  maxNesting: number;
}

/** Re-encodes `cm.module` with step counting (see the file comment). */
export function instrumentModule(cm: CompiledModule, options: InstrumentOptions): InstrumentedModule {
  const m = cm.module;
  const bytes = m.bytes;
  const { precise, trackDepth, trackValueStack } = options;
  const sections = sectionRanges(bytes);
  const nImports = m.imports.length;
  const nFuncs = nImports + m.funcTypes.length;

  // ---- types: the module's own, then ours (interned) ----
  const newTypes: { params: ValType[]; results: ValType[] }[] = [];
  const typeKeys = new Map<string, number>();
  const typeIndex = (params: ValType[], results: ValType[]): number => {
    const key = `${params.join(",")}>${results.join(",")}`;
    let t = typeKeys.get(key);
    if (t === undefined) {
      t = m.types.length + newTypes.length;
      newTypes.push({ params, results });
      typeKeys.set(key, t);
    }
    return t;
  };
  const blockType = (w: ByteWriter, results: ValType[]) => {
    if (results.length === 0) w.u8(EMPTY_BT);
    else if (results.length === 1) w.u8(results[0]!);
    else w.s32(typeIndex([], results));
  };

  // ---- globals: the module's own, then ours ----
  const g0 = m.globals.length;
  const G = {
    rem: g0,
    sig: g0 + 1,
    depthLeft: g0 + 2,
    fp: g0 + 3,
    maxVS: g0 + 4,
    maxPages: g0 + 5,
    idx: g0 + 6,
    used: g0 + 7,
  };
  const newGlobals: { name: string; type: ValType; index: number }[] = [
    { name: EXP.rem, type: I64, index: G.rem },
    { name: EXP.sig, type: I32, index: G.sig },
    { name: EXP.depthLeft, type: I32, index: G.depthLeft },
    { name: EXP.fp, type: I32, index: G.fp },
    { name: EXP.maxVS, type: I32, index: G.maxVS },
    { name: EXP.maxPages, type: I32, index: G.maxPages },
    { name: EXP.idx, type: I32, index: G.idx },
    { name: EXP.used, type: I64, index: G.used },
  ];

  // ---- helper functions, appended after the module's functions, built on demand ----
  const helpers: Helper[] = [];
  const helperByKey = new Map<string, Helper>();
  const helper = (key: string, params: ValType[], results: ValType[], build: () => Asm): number => {
    let h = helperByKey.get(key);
    if (!h) {
      h = { index: nFuncs + helpers.length, type: typeIndex(params, results), build };
      helpers.push(h);
      helperByKey.set(key, h);
    }
    return h.index;
  };
  /** Body writer: locals declaration (runs of one type) then code. */
  const bodyWith = (locals: ValType[]): Asm => {
    const a = new Asm();
    const runs: [number, ValType][] = [];
    for (const t of locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    a.u32(runs.length);
    for (const [n, t] of runs) a.u32(n).u8(t);
    return a;
  };

  /** stop(rem: i64): records the counter and stops the run (JS sees sig = SIG_STOP). */
  const stopFn = () =>
    helper("stop", [I64], [], () => bodyWith([]).lget(0).gset(G.rem).i32c(SIG_STOP).gset(G.sig).op(UNREACHABLE, END));

  /** byteMoveSteps(d, s, n) -> i64: steps of a move of bytes (memory.fill: s = d), src/micro.ts in Wasm. */
  const byteMoveStepsFn = () =>
    helper("byteMoveSteps", [I32, I32, I32], [I64], () => {
      const [D, S, N, BD] = [3, 4, 5, 6];
      const a = bodyWith([I64, I64, I64, I64]);
      a.lget(2).op(I32_EQZ, IF, EMPTY_BT).i64c(1).op(RETURN, END);
      a.lgetU64(0).lset(D).lgetU64(1).lset(S).lgetU64(2).lset(N);
      // bd = ((D + N - 1) >> 5) - (D >> 5)
      a.lget(D).lget(N).u8(I64_ADD).i64c(1).u8(I64_SUB).i64c(5).u8(I64_SHR_U).lget(D).i64c(5).op(I64_SHR_U, I64_SUB).lset(BD);
      // 1 + bd + bs - (d = s mod 32 ? bd : 0)
      a.i64c(1).lget(BD).u8(I64_ADD);
      a.lget(S).lget(N).u8(I64_ADD).i64c(1).u8(I64_SUB).i64c(5).u8(I64_SHR_U).lget(S).i64c(5).op(I64_SHR_U, I64_SUB);
      a.u8(I64_ADD);
      a.lget(BD).i64c(0).lget(0).lget(1).u8(I32_XOR).i32c(31).op(I32_AND, I32_EQZ, SELECT);
      a.op(I64_SUB, END);
      return a;
    });
  /** byteMovePrefix(d, s, k) -> i64: bytes of the first k chunks (k >= 1) of a forward move, src/micro.ts in Wasm. */
  const byteMovePrefixFn = () =>
    helper("byteMovePrefix", [I32, I32, I64], [I64], () => {
      const [A, B, K1] = [3, 4, 5];
      const a = bodyWith([I64, I64, I64]);
      a.i64c(32).lget(0).i32c(31).u8(I32_AND).op(I64_EXTEND_I32_U, I64_SUB).lset(A);
      a.i64c(32).lget(1).i32c(31).u8(I32_AND).op(I64_EXTEND_I32_U, I64_SUB).lset(B);
      a.lget(2).i64c(1).u8(I64_SUB).lset(K1);
      a.lget(A).lget(B).op(I64_EQ, IF, EMPTY_BT).lget(A).lget(K1).i64c(5).op(I64_SHL, I64_ADD, RETURN, END);
      a.lget(K1).i64c(1).u8(I64_SHR_U).i64c(5).u8(I64_SHL);
      a.lget(A).lget(B).lget(A).lget(B).op(I64_GT_U, SELECT); // max
      a.lget(A).lget(B).lget(A).lget(B).op(I64_LT_U, SELECT); // min
      a.lget(K1).i64c(1).op(I64_AND, I32_WRAP_I64, SELECT);
      a.op(I64_ADD, END);
      return a;
    });

  /** memory.grow honouring the task's page limit (EXECUTION.md section 5). */
  const growFn = () =>
    helper("grow", [I32], [I32], () => {
      const a = bodyWith([]);
      a.op(MEMORY_SIZE, 0x00, I64_EXTEND_I32_U).lgetU64(0).u8(I64_ADD).gget(G.maxPages).op(I64_EXTEND_I32_U, I64_GT_U);
      a.op(IF, I32).i32c(-1).u8(ELSE).lget(0).op(MEMORY_GROW, 0x00, END, END);
      return a;
    });

  /** The bulk instruction itself with operands (d, s, n) in locals 0..2. */
  type BulkKind = "mcopy" | "mfill" | "minit" | "tcopy" | "tinit";
  const bulkOp = (a: Asm, kind: BulkKind, seg: number) => {
    switch (kind) {
      case "mcopy":
        return a.u8(PREFIX_FC).u32(FC_MEMORY_COPY).op(0, 0);
      case "mfill":
        return a.u8(PREFIX_FC).u32(FC_MEMORY_FILL).op(0);
      case "minit":
        return a.u8(PREFIX_FC).u32(FC_MEMORY_INIT).u32(seg).op(0);
      case "tcopy":
        return a.u8(PREFIX_FC).u32(FC_TABLE_COPY).op(0, 0);
      case "tinit":
        return a.u8(PREFIX_FC).u32(FC_TABLE_INIT).u32(seg).op(0);
    }
  };
  /** Pushes the step count of the bulk instruction with operands in locals 0..2, as i64. */
  const bulkSteps = (a: Asm, kind: BulkKind) => {
    if (kind === "mcopy" || kind === "minit") return a.lget(0).lget(1).lget(2).call(byteMoveStepsFn());
    if (kind === "mfill") return a.lget(0).lget(0).lget(2).call(byteMoveStepsFn());
    // table.copy/init: one element per step, 1 step if n = 0.
    return a.lgetU64(2).i64c(1).lget(2).u8(SELECT);
  };

  /** FAST bulk helper (d, s, n) -> steps: performs the instruction, returns its step count. */
  const bulkFast = (kind: BulkKind, seg: number) =>
    helper(`${kind}:${seg}:fast`, [I32, I32, I32], [I64], () => {
      const a = bodyWith([]);
      bulkOp(a.lget(0).lget(1).lget(2), kind, seg);
      bulkSteps(a, kind);
      a.u8(END);
      return a;
    });

  /**
   * PRECISE bulk helper (d, s, n), counter in global `rem` (EXECUTION.md
   * section 5, micro-stepped instructions): the first step checks the whole
   * range (a failing check is a one-step trap: the full instruction is run so
   * that V8 raises the trap, before any byte moves); if the remaining budget
   * covers every chunk the whole instruction runs, else exactly the chunks the
   * budget allows (the first ones, or the last ones for a backward copy) and
   * the run stops at the limit.
   */
  const bulkPrecise = (kind: BulkKind, seg: number) =>
    helper(`${kind}:${seg}:precise`, [I32, I32, I32], [], () => {
      const [C, K, M] = [3, 4, 5];
      const a = bodyWith([I64, I64, I32]);
      a.gget(G.rem).op(I64_EQZ, IF, EMPTY_BT).i64c(0).call(stopFn()).u8(END);
      a.gget(G.rem).i64c(1).u8(I64_SUB).gset(G.rem);
      // Range check on u64 values (no wrap): d + n, then s + n.
      const trapIfOut = () => {
        a.op(IF, EMPTY_BT);
        bulkOp(a.lget(0).lget(1).lget(2), kind, seg);
        a.op(UNREACHABLE, END);
      };
      const dstEnd = () => a.lgetU64(0).lgetU64(2).u8(I64_ADD);
      const srcEnd = () => a.lgetU64(1).lgetU64(2).u8(I64_ADD);
      if (kind === "mcopy") {
        dstEnd().memBytes64().u8(I64_GT_U);
        srcEnd().memBytes64().op(I64_GT_U, I32_OR);
        trapIfOut();
      } else if (kind === "mfill") {
        dstEnd().memBytes64().u8(I64_GT_U);
        trapIfOut();
      } else if (kind === "tcopy") {
        dstEnd().tableSize64().u8(I64_GT_U);
        srcEnd().tableSize64().op(I64_GT_U, I32_OR);
        trapIfOut();
      } else {
        // memory.init / table.init: the destination against memory/table size;
        // the source end must fit in 32 bits, and a zero-length init at the
        // source end checks it against the (possibly dropped) segment.
        dstEnd();
        if (kind === "minit") a.memBytes64();
        else a.tableSize64();
        a.u8(I64_GT_U);
        srcEnd().i64c(0xffffffff).op(I64_GT_U, I32_OR);
        trapIfOut();
        a.i32c(0).lget(1).lget(2).u8(I32_ADD).i32c(0);
        bulkOp(a, kind, seg);
      }
      bulkSteps(a, kind).lset(C);
      // Whole instruction within budget: C - 1 more steps.
      a.lget(C).i64c(1).u8(I64_SUB).gget(G.rem).op(I64_LE_U, IF, EMPTY_BT);
      a.gget(G.rem).lget(C).i64c(1).op(I64_SUB, I64_SUB).gset(G.rem);
      bulkOp(a.lget(0).lget(1).lget(2), kind, seg);
      a.op(RETURN, END);
      // Partial: K = rem + 1 chunks (the first was counted above), then stop at the limit.
      a.gget(G.rem).i64c(1).u8(I64_ADD).lset(K);
      if (kind === "tcopy" || kind === "tinit") {
        a.lget(K).u8(I32_WRAP_I64).lset(M);
        if (kind === "tcopy") {
          // Backward when d > s (as the interpreter): the last K elements.
          a.lget(0).lget(1).op(I32_GT_U, IF, EMPTY_BT);
          a.lget(0).lget(2).u8(I32_ADD).lget(M).u8(I32_SUB);
          a.lget(1).lget(2).u8(I32_ADD).lget(M).u8(I32_SUB);
          bulkOp(a.lget(M), kind, seg);
          a.u8(ELSE);
          bulkOp(a.lget(0).lget(1).lget(M), kind, seg);
          a.u8(END);
        } else {
          bulkOp(a.lget(0).lget(1).lget(M), kind, seg);
        }
      } else if (kind === "mfill") {
        // First K chunks of a fill: a move with s = d.
        a.lget(0).lget(0).lget(K).call(byteMovePrefixFn()).u8(I32_WRAP_I64).lset(M);
        bulkOp(a.lget(0).lget(1).lget(M), kind, seg);
      } else if (kind === "mcopy") {
        a.lget(0).lget(1).op(I32_GT_U, IF, EMPTY_BT);
        // Backward (d > s, as the interpreter): the last K chunks, M = n - cut(C - K).
        a.lget(2).lget(0).lget(1).lget(C).lget(K).u8(I64_SUB).call(byteMovePrefixFn()).op(I32_WRAP_I64, I32_SUB).lset(M);
        a.lget(0).lget(2).u8(I32_ADD).lget(M).u8(I32_SUB);
        a.lget(1).lget(2).u8(I32_ADD).lget(M).u8(I32_SUB);
        bulkOp(a.lget(M), kind, seg);
        a.u8(ELSE);
        a.lget(0).lget(1).lget(K).call(byteMovePrefixFn()).u8(I32_WRAP_I64).lset(M);
        bulkOp(a.lget(0).lget(1).lget(M), kind, seg);
        a.u8(END);
      } else {
        a.lget(0).lget(1).lget(K).call(byteMovePrefixFn()).u8(I32_WRAP_I64).lset(M);
        bulkOp(a.lget(0).lget(1).lget(M), kind, seg);
      }
      a.i64c(0).call(stopFn()).u8(END);
      return a;
    });

  // The IR of each branch site (by byte offset): what its micro-steps cost (EXECUTION.md section 5).
  const pcAt = new Map<number, number>();
  for (let pc = 0; pc < cm.length; pc++) {
    const o = cm.srcOffset[pc]!;
    if (o >= 0 && !pcAt.has(o)) pcAt.set(o, pc);
  }
  /** Steps beyond the first of the IR record at pc, when it branches (0 for a single step). */
  const branchExtraAt = (pc: number): number => {
    const c = cm.code;
    const [op, a, b, d] = [c[pc * 4]!, c[pc * 4 + 1]!, c[pc * 4 + 2]!, c[pc * 4 + 3]!];
    if (op === Op.RETURN || op === Op.RETURN_IF) return returnSteps(a) - 1;
    if (op === Op.BR_TABLE_ENTRY && a === -1) return returnSteps(b) - 1;
    return moveSteps(b, d) - 1;
  };
  /** Extra steps of the br/br_if (count 1) or br_table (count n+1, per entry) at byte offset `at`. */
  const branchExtras = (at: number, count: number): number[] => {
    const pc = pcAt.get(at);
    if (pc === undefined) return new Array<number>(count).fill(0);
    if (cm.code[pc * 4] === Op.BR_TABLE) return Array.from({ length: count }, (_, j) => branchExtraAt(pc + 1 + j));
    return [branchExtraAt(pc)];
  };

  // ---- function bodies ----
  const bodies: Asm[] = [];
  let maxNesting = 0;
  for (let j = 0; j < m.bodies.length; j++) bodies.push(instrumentBody(j));

  function instrumentBody(j: number): Asm {
    const body = m.bodies[j]!;
    const f = cm.funcs[nImports + j]!;
    const B = f.nlocals; // the budget at entry: steps left when the call step was counted (i64)
    const C = f.nlocals + 1; // steps consumed since entry, callees included (i64, starts at 0)
    const T = f.nlocals + 2; // scratch i32
    const D = f.nlocals + 3; // frames left at entry (the caller's count), restored on return
    const F = f.nlocals + 4; // this frame's fp
    const out = bodyWith([...body.locals, I64, I64, I32, I32, I32]);
    /** `br_if $stop` from inside `depth` blocks of the body (the body block is one more). */
    const brIfStop = (a: Asm, depth: number) => a.u8(BR_IF).u32(depth + 1);
    /** rem = B - C: the exact global counter, for a callee, a host call, JS or a trap. */
    const syncRem = (a: Asm) => a.lget(B).lget(C).u8(I64_SUB).gset(G.rem);
    /** C = B - rem: after a host call or a precise bulk helper counted in `rem`. */
    const loadRem = (a: Asm) => a.lget(B).gget(G.rem).u8(I64_SUB).lset(C);
    const r = new Reader(bytes, body.codeStart, body.codeEnd);
    r.section = "code";
    /**
     * Counts `e` more steps at once, inside `inner` blocks of the body: PRECISE
     * stops with C = B if they do not all fit (as e single checked steps would).
     */
    const countExtra = (a: Asm, e: number, inner: number) => {
      if (e <= 0) return;
      if (precise) {
        a.lget(C).i64c(e).u8(I64_ADD).lget(B).u8(I64_GT_S).op(IF, EMPTY_BT).lget(B).lset(C).i32c(1);
        brIfStop(a, inner + 1);
        a.u8(END);
      }
      a.lget(C).i64c(e).u8(I64_ADD).lset(C);
    };

    // Prologue: the limits a call checks (EXECUTION.md section 5, "Calls"),
    // depth first. The caller has counted the call step and synced `rem`.
    // `depthLeft` counts the frames still allowed (maxCallDepth - depth); the
    // caller (or JS, for the bootstrap call) sets `fp` to this frame's fp'.
    if (trackDepth) {
      out.gget(G.depthLeft).ltee(D).op(I32_EQZ, IF, EMPTY_BT).i32c(SIG_CALL_STACK).gset(G.sig).op(UNREACHABLE, END);
      out.lget(D).i32c(1).u8(I32_SUB).gset(G.depthLeft);
    }
    if (trackValueStack) {
      out.gget(G.fp).ltee(F).i32c(f.nlocals + f.maxHeight).u8(I32_ADD).gget(G.maxVS);
      out.op(I32_GT_U, IF, EMPTY_BT).i32c(SIG_VALUE_STACK).gset(G.sig).op(UNREACHABLE, END);
    }
    out.gget(G.rem).lset(B);
    // block $stop { block $body (results) { BODY } sync; return } STOP (file comment).
    out.op(BLOCK, EMPTY_BT);

    const budgetCheck = (a: Asm, depth: number) => {
      // FAST: the counter is exact here; <= 0 means steps >= maxSteps.
      brIfStop(a.lget(C).lget(B).u8(I64_GE_S), depth);
    };
    out.u8(BLOCK);
    blockType(out, f.type.results);
    // The micro-steps of the call beyond its first (a call moves at most K params a step,
    // EXECUTION.md section 5): counted here, after the limit checks the first step makes.
    countExtra(out, callSteps(f.nparams) - 1, 0);
    if (!precise) budgetCheck(out, 0);

    let depth = 0; // blocks open inside $body
    /** Extra steps of a function return (a return moves at most K results a step). */
    const returnExtra = returnSteps(f.type.results.length) - 1;
    const region = new Asm();
    let k = 0;
    const endRegion = () => {
      if (!precise && k > 0) out.lget(C).i64c(k).u8(I64_ADD).lset(C);
      // One region buffer per body, reused: a body of 10^6 nested blocks ends 10^6 regions.
      out.bytes(region.view());
      region.reset();
      k = 0;
    };
    /** One step of the instruction about to be emitted into the region. */
    const step = () => {
      if (precise) {
        brIfStop(region.lget(C).lget(B).u8(I64_GE_S), depth);
        region.lget(C).i64c(1).u8(I64_ADD).lset(C);
      } else k++;
    };
    /** The extra (micro-)steps of the instruction just counted: in the region (FAST) or checked one by one as a block (PRECISE). */
    const extraSteps = (e: number) => {
      if (e <= 0) return;
      if (precise) countExtra(region, e, depth);
      else k += e;
    };
    /** PRECISE: the counter is exact in `rem` if the next instruction traps. */
    const syncIfPrecise = () => {
      if (precise) syncRem(region);
    };
    const raw = (from: number) => region.bytes(bytes.subarray(from, r.pos));
    const readBlockType = () => {
      const b = bytes[r.pos]!;
      if (b === EMPTY_BT || b === I32 || b === I64) r.pos++;
      else r.s64();
    };
    const callSite = (delta: number, emitCall: () => void) => {
      step();
      syncRem(region);
      // The callee's fp' = sp - nparams = this fp + delta (EXECUTION.md section 5, "Calls").
      if (trackValueStack) region.lget(F).i32c(delta).u8(I32_ADD).gset(G.fp);
      emitCall();
      // The callee reports what it consumed: C does not depend on a load of the
      // value stored before the call, so a loop calling a small function keeps
      // no store-to-load chain on its critical path (measured 0.33x -> see report).
      region.lget(C).gget(G.used).u8(I64_ADD).lset(C);
      endRegion();
    };
    const bulk = (kind: BulkKind, seg: number) => {
      if (precise) loadRem(syncRem(region).call(bulkPrecise(kind, seg)));
      else region.call(bulkFast(kind, seg)).lget(C).u8(I64_ADD).lset(C);
    };
    const siteHeight = (at: number): number => {
      const h = cm.callSiteHeight.get(at);
      if (h === undefined) throw new StepperError("invalid", `internal error: no call site height at offset 0x${at.toString(16)}`);
      return h;
    };

    for (;;) {
      const at = r.pos;
      const b = r.u8();
      switch (b) {
        case UNREACHABLE:
          step();
          syncIfPrecise();
          region.u8(UNREACHABLE);
          endRegion();
          break;
        case 0x01: // nop: not a step, not emitted
          break;
        case BLOCK:
          // Not a step and not a branch target: the region goes on.
          readBlockType();
          raw(at);
          if (++depth > maxNesting) maxNesting = depth;
          break;
        case LOOP:
          // A branch target: a new region, with the budget check (FAST).
          readBlockType();
          endRegion();
          out.bytes(bytes.subarray(at, r.pos));
          if (++depth > maxNesting) maxNesting = depth;
          if (!precise) budgetCheck(out, depth);
          break;
        case IF:
          // `if` is br_unless: one step; both arms start new regions.
          readBlockType();
          step();
          raw(at);
          endRegion();
          if (++depth > maxNesting) maxNesting = depth;
          break;
        case ELSE:
          // Falling out of the then-arm executes the IR `br` of the else: one step.
          step();
          endRegion();
          out.u8(ELSE);
          break;
        case END:
          if (depth === 0) {
            // The function's final end is `return`: one step on the fall-through path.
            step();
            extraSteps(returnExtra);
            endRegion();
            out.u8(END); // closes $body
            out.lget(C).gset(G.used);
            if (trackDepth) out.lget(D).gset(G.depthLeft);
            out.u8(RETURN);
            out.u8(END); // closes $stop: the stop sequence follows
            syncRem(out).i32c(SIG_STOP).gset(G.sig).u8(UNREACHABLE);
            out.u8(END);
            if (r.pos !== r.end) throw new StepperError("invalid", "internal error: code after the final end");
            return out;
          }
          // A join point: a new region.
          endRegion();
          out.u8(END);
          depth--;
          break;
        case BR: {
          r.u32();
          step();
          const e = branchExtras(at, 1)[0]!;
          extraSteps(e);
          raw(at);
          endRegion();
          break;
        }
        case BR_IF: {
          r.u32();
          step();
          const e = branchExtras(at, 1)[0]!;
          if (e > 0) {
            // Taken only: the extra steps are counted if the condition is non-zero.
            region.lset(T).lget(T).op(IF, EMPTY_BT);
            countExtra(region, e, depth + 1);
            region.u8(END).lget(T);
          }
          raw(at);
          endRegion();
          break;
        }
        case BR_TABLE: {
          const n = r.u32();
          for (let i = 0; i <= n; i++) r.u32();
          step();
          const extras = branchExtras(at, n + 1);
          if (extras.some((e) => e > 0)) {
            // The entry the index selects decides the extra steps (entry n: the default).
            region.lset(T);
            extras.forEach((e, j) => {
              if (e === 0) return;
              region.lget(T).i32c(j).u8(j < n ? I32_EQ : I32_GE_U).op(IF, EMPTY_BT);
              countExtra(region, e, depth + 1);
              region.u8(END);
            });
            region.lget(T);
          }
          raw(at);
          endRegion();
          break;
        }
        case RETURN:
          // `return` = br to the wrapper block (same results), through the epilogue.
          step();
          extraSteps(returnExtra);
          region.u8(BR).u32(depth);
          endRegion();
          break;
        case CALL: {
          const idx = r.u32();
          const callee = cm.funcs[idx]!;
          if (callee.host) {
            // Host calls count their own steps in JS (micro-stepped, EXECUTION.md section 2).
            loadRem(syncRem(region).call(idx));
            endRegion();
          } else {
            const delta = f.nlocals + siteHeight(at) - callee.nparams;
            callSite(delta, () => region.call(idx));
          }
          break;
        }
        case CALL_INDIRECT: {
          const ti = r.u32();
          r.u32();
          // The site height includes the table index, popped before the frame is made.
          const delta = f.nlocals + siteHeight(at) - 1 - m.types[ti]!.params.length;
          const from = at;
          callSite(delta, () => {
            if (precise) region.ltee(T).gset(G.idx).lget(T);
            region.bytes(bytes.subarray(from, r.pos));
          });
          break;
        }
        case MEMORY_SIZE:
          r.u8();
          step();
          raw(at);
          break;
        case MEMORY_GROW:
          r.u8();
          step();
          region.call(growFn());
          break;
        case I64_CONST:
          r.s64();
          step();
          raw(at);
          break;
        case I32_CONST:
          r.s32();
          step();
          raw(at);
          break;
        case PREFIX_FC: {
          const sub = r.u32();
          switch (sub) {
            case FC_MEMORY_INIT: {
              const seg = r.u32();
              r.u8();
              bulk("minit", seg);
              break;
            }
            case FC_DATA_DROP:
            case FC_ELEM_DROP:
              r.u32();
              step();
              raw(at);
              break;
            case FC_MEMORY_COPY:
              r.u8();
              r.u8();
              bulk("mcopy", 0);
              break;
            case FC_MEMORY_FILL:
              r.u8();
              bulk("mfill", 0);
              break;
            case FC_TABLE_INIT: {
              const seg = r.u32();
              r.u32();
              bulk("tinit", seg);
              break;
            }
            case FC_TABLE_COPY:
              r.u32();
              r.u32();
              bulk("tcopy", 0);
              break;
            default:
              throw new StepperError("invalid", `internal error: unexpected instruction 0xfc ${sub} at offset 0x${at.toString(16)}`);
          }
          break;
        }
        default: {
          if (b === 0x1c) {
            const n = r.u32();
            r.pos += n;
          } else if (b >= 0x20 && b <= 0x24) r.u32();
          else if (b >= 0x28 && b <= 0x3e) {
            r.u32();
            r.u32();
          } else if (!(b === 0x1a || b === 0x1b || (b >= 0x45 && b <= 0xc4))) {
            throw new StepperError("invalid", `internal error: unexpected opcode 0x${b.toString(16)} at offset 0x${at.toString(16)}`);
          }
          step();
          // Loads, stores, div and rem can trap.
          if ((b >= 0x28 && b <= 0x3e) || (b >= 0x6d && b <= 0x70) || (b >= 0x7f && b <= 0x82)) syncIfPrecise();
          raw(at);
          break;
        }
      }
    }
  }

  // Build helper bodies (a helper may request further helpers while being built).
  const helperBodies: Asm[] = [];
  for (let i = 0; i < helpers.length; i++) helperBodies.push(helpers[i]!.build());

  // ---- assemble the module ----
  const out = new ByteWriter(bytes.length * 2 + 1024);
  out.op(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const section = (id: number, w: ByteWriter) => {
    out.u8(id);
    out.sized(w);
  };
  const copySection = (id: number) => {
    const s = sections.get(id);
    if (!s) return;
    out.u8(id).u32(s.end - s.start).bytes(bytes.subarray(s.start, s.end));
  };

  {
    const t = vecEntries(bytes, sections.get(1));
    const w = new ByteWriter();
    w.u32(t.count + newTypes.length).bytes(t.raw);
    for (const nt of newTypes) {
      w.u8(0x60).u32(nt.params.length);
      for (const p of nt.params) w.u8(p);
      w.u32(nt.results.length);
      for (const x of nt.results) w.u8(x);
    }
    section(1, w);
  }
  copySection(2);
  {
    const w = new ByteWriter();
    w.u32(m.funcTypes.length + helpers.length);
    for (const t of m.funcTypes) w.u32(t);
    for (const h of helpers) w.u32(h.type);
    section(3, w);
  }
  copySection(4);
  copySection(5);
  {
    // The module's globals with their initial values evaluated: V8 (11.x)
    // rejects global.get of a defined global in a constant expression, which
    // the subset allows (spec 3.3.10 of later versions).
    const values = globalValues(m);
    const w = new ByteWriter();
    w.u32(m.globals.length + newGlobals.length);
    m.globals.forEach((g, i) => {
      w.u8(g.type).u8(g.mutable ? 1 : 0);
      if (g.type === I64) w.u8(I64_CONST).s64(values[i]!);
      else w.u8(I32_CONST).s32(Number(BigInt.asIntN(32, values[i]!)));
      w.u8(END);
    });
    for (const ng of newGlobals) {
      w.u8(ng.type).u8(1);
      if (ng.type === I64) w.u8(I64_CONST).s64(0n);
      else w.u8(I32_CONST).s32(0);
      w.u8(END);
    }
    section(6, w);
  }
  {
    const exported = new Set<number>();
    for (const e of m.exports) if (e.kind === "func") exported.add(e.index);
    if (m.start !== undefined) exported.add(m.start);
    const w = new ByteWriter();
    const n = exported.size + newGlobals.length + m.globals.length + (m.memory ? 1 : 0) + (m.table ? 1 : 0);
    w.u32(n);
    for (const fi of exported) w.name(funcExportName(fi)).u8(0).u32(fi);
    for (let gi = 0; gi < m.globals.length; gi++) w.name(globalExportName(gi)).u8(3).u32(gi);
    for (const ng of newGlobals) w.name(ng.name).u8(3).u32(ng.index);
    if (m.memory) w.name(EXP.memory).u8(2).u32(0);
    if (m.table) w.name(EXP.table).u8(1).u32(0);
    section(7, w);
  }
  // No start section: the start function runs as a counted invocation (EXECUTION.md section 6).
  if (m.elems.length > 0) {
    // Element segments re-encoded in the expression form, offsets evaluated (see globals).
    const values = globalValues(m);
    const w = new ByteWriter();
    w.u32(m.elems.length);
    for (const e of m.elems) {
      if (e.mode === "active") {
        w.u8(4).u8(I32_CONST).s32(Number(BigInt.asIntN(32, evalConst(e.offset!, values)))).u8(END);
      } else w.u8(e.mode === "passive" ? 5 : 7).u8(FUNCREF);
      w.u32(e.funcs.length);
      for (const fi of e.funcs) {
        if (fi < 0) w.op(0xd0, FUNCREF, END);
        else w.u8(0xd2).u32(fi).u8(END);
      }
    }
    section(9, w);
  }
  copySection(12);
  {
    const w = new ByteWriter(bytes.length * 2);
    w.u32(bodies.length + helperBodies.length);
    for (const b of bodies) w.sized(b);
    for (const b of helperBodies) w.sized(b);
    section(10, w);
  }
  if (m.datas.length > 0) {
    const values = globalValues(m);
    const w = new ByteWriter();
    w.u32(m.datas.length);
    for (const d of m.datas) {
      if (d.mode === "active") w.u8(0).u8(I32_CONST).s32(Number(BigInt.asIntN(32, evalConst(d.offset!, values)))).u8(END);
      else w.u8(1);
      w.u32(d.bytes.length).bytes(d.bytes);
    }
    section(11, w);
  }
  return { bytes: out.finish(), options, maxNesting };
}

