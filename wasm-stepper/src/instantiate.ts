/**
 * Instantiation (WebAssembly 2.0 section 4.5.4) for both engines: constant expressions,
 * the effective memory maximum, and the instantiation checks with their errors, in one
 * order and one wording. The interpreter (src/machine.ts) builds its state from the
 * result; the native engine (src/native/) runs the checks before V8 instantiates.
 */
import { LinkError, StepperError } from "./errors.ts";
import { I32, type ConstExpr, type Module } from "./module.ts";
import type { Limits } from "./types.ts";
import { MAX_PAGES, PAGE_SIZE } from "./machine/limits.ts";

/**
 * Value of a constant expression as an unsigned 64-bit BigInt: i32 values
 * zero-extended, ref.null as all ones.
 */
export function evalConst(e: ConstExpr, globals: readonly bigint[]): bigint {
  switch (e.kind) {
    case "i32.const":
      return BigInt(e.value >>> 0);
    case "i64.const":
      return BigInt.asUintN(64, e.value);
    case "global.get":
      return globals[e.index]!;
    case "ref.null":
      return BigInt.asUintN(64, -1n);
    case "ref.func":
      return BigInt(e.index);
  }
}

/** Initial values of the module's globals, in order (an initializer may read earlier globals). */
export function globalValues(m: Module): bigint[] {
  const out: bigint[] = [];
  for (const g of m.globals) {
    const v = evalConst(g.init, out);
    out.push(g.type === I32 ? v & 0xffffffffn : v);
  }
  return out;
}

/** What instantiation fixes: the initial memory, globals, table and active segment offsets. */
export interface Instantiation {
  /** The effective maximum of memory pages: min(module maximum, task limit, 65536); 0 without memory. */
  maxPages: number;
  /** Initial memory pages. */
  pages: number;
  globals: bigint[];
  tableSize: number;
  /** Offset of each active element segment (undefined: passive or declarative). */
  elemOffsets: (number | undefined)[];
  /** Offset of each active data segment (undefined: passive). */
  dataOffsets: (number | undefined)[];
}

/**
 * Instantiates `m` under `limits`: the memory's minimum against the task limit, then
 * every active element segment against the table, then every active data segment
 * against the memory (a LinkError naming the segment).
 */
export function instantiate(m: Module, limits: Limits): Instantiation {
  // Memory (spec 4.5.3.9): the task limit caps the module's own maximum.
  const mem = m.memory;
  const maxPages = mem ? Math.min(mem.max ?? MAX_PAGES, limits.maxMemoryPages, MAX_PAGES) : 0;
  if (mem && mem.min > limits.maxMemoryPages)
    throw new StepperError("limit", `the module needs ${mem.min} memory pages, above the task limit maxMemoryPages=${limits.maxMemoryPages}`);
  const pages = mem?.min ?? 0;
  const globals = globalValues(m);
  const tableSize = m.table?.min ?? 0;
  const elemOffsets = m.elems.map((e, i) => {
    if (e.mode !== "active") return undefined;
    const off = Number(evalConst(e.offset!, globals) & 0xffffffffn);
    if (off + e.funcs.length > tableSize)
      throw new LinkError(`element segment ${i} does not fit in the table (offset ${off}, ${e.funcs.length} entries, table size ${tableSize})`, { section: "element" });
    return off;
  });
  const memBytes = pages * PAGE_SIZE;
  const dataOffsets = m.datas.map((d, i) => {
    if (d.mode !== "active") return undefined;
    const off = Number(evalConst(d.offset!, globals) & 0xffffffffn);
    if (off + d.bytes.length > memBytes)
      throw new LinkError(`data segment ${i} does not fit in memory (offset ${off}, ${d.bytes.length} bytes, memory ${memBytes} bytes)`, { section: "data" });
    return off;
  });
  return { maxPages, pages, globals, tableSize, elemOffsets, dataOffsets };
}
