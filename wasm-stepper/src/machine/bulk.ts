/**
 * The interpreter's rare and micro-stepped instructions (spec/EXECUTION.md section 5):
 * bulk memory and table operations and the host API, out of the dispatch loop.
 */
import * as Op from "../ir/opcodes.ts";
import { StepperError } from "../errors.ts";
import type { Machine } from "../machine.ts";
import { firstChunk, lastChunk } from "../micro.ts";
import type { TrapCode } from "../types.ts";

const EMPTY = new Uint8Array(0);
const EMPTY32 = new Int32Array(0);

/** Rare and micro-stepped instructions (EXECUTION.md section 5). Uses m.pc/m.sp. */
export function slow(m: Machine, op: number, i: number): TrapCode | undefined {
  const code = m.cm.code;
  switch (op) {
    case Op.HOST_INPUT_SIZE:
    case Op.HOST_INPUT_READ:
    case Op.HOST_OUTPUT_WRITE:
      return host(m, op);
    case Op.MEMORY_FILL: {
      const S = m.stack32;
      const b = (m.sp - 3) << 1;
      const d = S[b]! >>> 0;
      const val = S[b + 2]!;
      const n = S[b + 4]! >>> 0;
      if (d + n > m.memory.length) return "out_of_bounds_memory";
      if (n === 0) return finishBulk(m, 3);
      const c = firstChunk(d, d, n);
      m.memory.fill(val & 0xff, d, d + c);
      m.markDirty(d, c);
      if (n === c) return finishBulk(m, 3);
      S[b] = d + c;
      S[b + 4] = n - c;
      return undefined;
    }
    case Op.MEMORY_COPY: {
      const S = m.stack32;
      const b = (m.sp - 3) << 1;
      const d = S[b]! >>> 0;
      const s = S[b + 2]! >>> 0;
      const n = S[b + 4]! >>> 0;
      const len = m.memory.length;
      if (s + n > len || d + n > len) return "out_of_bounds_memory";
      if (n === 0) return finishBulk(m, 3);
      if (d <= s) {
        const c = firstChunk(d, s, n);
        m.memory.copyWithin(d, s, s + c);
        m.markDirty(d, c);
        return advance(m, b, n, c);
      } else {
        // Backward: the last chunk first, so an overlapping copy reads bytes not yet overwritten.
        const de = d + n;
        const se = s + n;
        const c = lastChunk(d, s, n);
        m.memory.copyWithin(de - c, se - c, se);
        m.markDirty(de - c, c);
        return shrink(m, b, n, c);
      }
    }
    case Op.MEMORY_INIT: {
      const seg = code[i + 1]!;
      const S = m.stack32;
      const b = (m.sp - 3) << 1;
      const d = S[b]! >>> 0;
      const s = S[b + 2]! >>> 0;
      const n = S[b + 4]! >>> 0;
      const data = m.dataDropped[seg] ? EMPTY : m.dataSegs[seg]!;
      if (s + n > data.length || d + n > m.memory.length) return "out_of_bounds_memory";
      if (n === 0) return finishBulk(m, 3);
      const c = firstChunk(d, s, n);
      m.memory.set(data.subarray(s, s + c), d);
      m.markDirty(d, c);
      return advance(m, b, n, c);
    }
    case Op.DATA_DROP:
      m.dataDropped[code[i + 1]!] = 1;
      m.changes.segmentsDirty = true;
      m.pc++;
      return undefined;
    case Op.ELEM_DROP:
      m.elemDropped[code[i + 1]!] = 1;
      m.changes.segmentsDirty = true;
      m.pc++;
      return undefined;
    case Op.TABLE_COPY: {
      const S = m.stack32;
      const b = (m.sp - 3) << 1;
      const d = S[b]! >>> 0;
      const s = S[b + 2]! >>> 0;
      const n = S[b + 4]! >>> 0;
      const T = m.table;
      if (s + n > T.length || d + n > T.length) return "out_of_bounds_table";
      if (n === 0) return finishBulk(m, 3);
      // One element a step: forward from the start, or backward from the end when d > s.
      const w = d <= s ? d : d + n - 1;
      T[w] = T[w - d + s]!;
      m.changes.tableDirty = true;
      m.changes.tableWrites?.push(w);
      return d <= s ? advance(m, b, n, 1) : shrink(m, b, n, 1);
    }
    case Op.TABLE_INIT: {
      const seg = code[i + 1]!;
      const S = m.stack32;
      const b = (m.sp - 3) << 1;
      const d = S[b]! >>> 0;
      const s = S[b + 2]! >>> 0;
      const n = S[b + 4]! >>> 0;
      const elems = m.elemDropped[seg] ? EMPTY32 : m.elemSegs[seg]!;
      if (s + n > elems.length || d + n > m.table.length) return "out_of_bounds_table";
      if (n === 0) return finishBulk(m, 3);
      m.table[d] = elems[s]!;
      m.changes.tableDirty = true;
      m.changes.tableWrites?.push(d);
      return advance(m, b, n, 1);
    }
    case Op.BR_TABLE_ENTRY:
      throw new StepperError("invalid", `internal error: br_table entry executed at pc ${m.pc}`);
    default:
      throw new StepperError("invalid", `internal error: unknown IR opcode ${op} at pc ${m.pc}`);
  }
}

/**
 * After a forward chunk of `c` of the `n` units left of a (d, s, n) instruction whose operands
 * start at stack32 slot `b`: ends it, or moves d and s on by c (mod 2^32, as stored) and n down.
 */
function advance(m: Machine, b: number, n: number, c: number): undefined {
  if (n === c) return finishBulk(m, 3);
  const S = m.stack32;
  S[b] = S[b]! + c;
  S[b + 2] = S[b + 2]! + c;
  S[b + 4] = n - c;
  return undefined;
}

/** After a backward chunk of `c` of the `n` units left (taken from the end): ends the instruction, or counts n down. */
function shrink(m: Machine, b: number, n: number, c: number): undefined {
  if (n === c) return finishBulk(m, 3);
  m.stack32[b + 4] = n - c;
  return undefined;
}

/** Ends a micro-stepped instruction: pops its `n` operands and moves on. */
export function finishBulk(m: Machine, n: number): undefined {
  m.sp -= n;
  m.pc++;
  return undefined;
}

/** The host API (EXECUTION.md section 2), micro-stepped by leaf. */
export function host(m: Machine, op: number): TrapCode | undefined {
  const S = m.stack32;
  if (op === Op.HOST_INPUT_SIZE) {
    const d = m.sp << 1;
    S[d] = m.input.length;
    S[d + 1] = 0;
    m.sp++;
    m.pc++;
    return undefined;
  }
  if (op === Op.HOST_INPUT_READ) {
    const b = (m.sp - 3) << 1;
    const d = S[b]! >>> 0;
    const off = S[b + 2]! >>> 0;
    const n = S[b + 4]! >>> 0;
    if (off + n > m.input.length) return "input_out_of_bounds";
    if (d + n > m.memory.length) return "out_of_bounds_memory";
    if (n === 0) return finishBulk(m, 3);
    const c = firstChunk(d, off, n);
    m.memory.set(m.input.subarray(off, off + c), d);
    m.markDirty(d, c);
    if (n === c) return finishBulk(m, 3);
    S[b] = d + c;
    S[b + 2] = off + c;
    S[b + 4] = n - c;
    return undefined;
  }
  const b = (m.sp - 2) << 1;
  const src = S[b]! >>> 0;
  const n = S[b + 2]! >>> 0;
  if (src + n > m.memory.length) return "out_of_bounds_memory";
  if (m.outputLength + n > m.limits.maxOutputBytes) return "output_limit";
  if (n === 0) return finishBulk(m, 2);
  const o = m.outputLength;
  const c = firstChunk(o, src, n);
  if (o + c > m.output.length) m.growOutput(o + c);
  m.output.set(m.memory.subarray(src, src + c), o);
  m.outputLength = o + c;
  if (n === c) return finishBulk(m, 2);
  S[b] = src + c;
  S[b + 2] = n - c;
  return undefined;
}
