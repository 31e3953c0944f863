/**
 * The decoded (not yet compiled) form of a Wasm module, as produced by
 * `decodeModule` in decode/decode.ts. Only the deterministic subset is
 * representable: value types are i32 and i64, references are funcref.
 * Function bodies stay as byte ranges of the original binary; the compiler
 * (compile/compile.ts) validates them and translates them to IR.
 */

/** Value types of the supported subset. Numbers are the binary encodings. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const FUNCREF = 0x70;
export type ValType = typeof I32 | typeof I64;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max?: number;
}

/** A constant expression: only what the subset allows. */
export type ConstExpr =
  | { kind: "i32.const"; value: number }
  | { kind: "i64.const"; value: bigint }
  | { kind: "global.get"; index: number }
  | { kind: "ref.null" }
  | { kind: "ref.func"; index: number };

export interface FuncImport {
  module: string;
  name: string;
  typeIndex: number;
  /** Byte offset of the import entry. */
  offset: number;
}

export interface Global {
  type: ValType;
  mutable: boolean;
  init: ConstExpr;
}

export interface Export {
  name: string;
  kind: "func" | "table" | "memory" | "global";
  index: number;
}

export interface ElemSegment {
  mode: "active" | "passive" | "declarative";
  /** For active segments: table index (always 0 in the subset) and offset expression. */
  table?: number;
  offset?: ConstExpr;
  /** Function indices; -1 encodes ref.null. */
  funcs: number[];
}

export interface DataSegment {
  mode: "active" | "passive";
  /** For active segments: memory index (always 0) and offset expression. */
  offset?: ConstExpr;
  bytes: Uint8Array;
}

export interface FuncBody {
  /** Declared locals (params excluded), expanded: one entry per local. */
  locals: ValType[];
  /** Byte offset (in the module binary) of the first instruction. */
  codeStart: number;
  /** Byte offset one past the final `end` (0x0b) of the body. */
  codeEnd: number;
}

export interface Module {
  /** The original bytes; bodies index into them. */
  bytes: Uint8Array;
  types: FuncType[];
  /** Imported functions, in import order; they occupy function indices 0..imports.length-1. */
  imports: FuncImport[];
  /** Type index of each defined function (function index = imports.length + i). */
  funcTypes: number[];
  /** At most one table (funcref). */
  table?: Limits;
  /** At most one memory (32-bit, not shared). */
  memory?: Limits;
  globals: Global[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** Present when the module has a data count section. */
  dataCount?: number;
  /** Bodies of defined functions, parallel to funcTypes. */
  bodies: FuncBody[];
  /** Function names from the name section (function index -> name), when present. */
  funcNames: Map<number, string>;
}
