/**
 * The state header and its hash (spec/STATE.md section 3). The constants come
 * from spec/state.json, the one source the Solidity side is generated from.
 */
import spec from "../../spec/state.json" with { type: "json" };
import { keccak256Parts } from "../hash/keccak.ts";
import { zeroHash } from "../merkle/tree.ts";
import { LIMIT_NAMES, type Status, type TrapCode } from "../types.ts";
import { ProofError } from "./errors.ts";

export const LAYOUT_VERSION = spec.version;
export const HEADER_WORDS = spec.widths.headerWords;
export const NULL_FUNC = spec.widths.nullFunc;
/** The largest number a proof word may carry where a count, index or length is expected. */
export const MAX_NUMBER = spec.widths.maxNumber;
export const HOST_ENTRY = spec.widths.hostEntry;
/** Inputs are at most 32 * 2^maxInputTreeDepth bytes (32 MiB): src/merkle/input.ts. */
export { MAX_INPUT_BYTES, MAX_INPUT_TREE_DEPTH } from "../merkle/input.ts";
import { inputTreeDepth } from "../merkle/input.ts";
export const MIN_MEMORY_TREE_DEPTH = spec.widths.minMemoryTreeDepth;
/** Bytes of a Wasm page. */
export const PAGE_BYTES = spec.widths.pageBytes;

export const STATUS_CODE: Record<Status, number> = spec.statuses;
export const TRAP_CODE: Record<TrapCode | "none", number> = spec.traps;
export const STATUS_NAME: Status[] = [];
for (const [k, v] of Object.entries(spec.statuses)) STATUS_NAME[v] = k as Status;
export const TRAP_NAME: (TrapCode | undefined)[] = [];
for (const [k, v] of Object.entries(spec.traps)) TRAP_NAME[v] = k === "none" ? undefined : (k as TrapCode);

const enc = new TextEncoder();
export const TAG = {
  machine: enc.encode(spec.tags.machine),
  rest: enc.encode(spec.tags.rest),
  heap: enc.encode(spec.tags.heap),
  static: enc.encode(spec.tags.static),
  frame: enc.encode(spec.tags.frame),
  data: enc.encode(spec.tags.data),
  elem: enc.encode(spec.tags.elem),
  output: enc.encode(spec.tags.output),
  module: enc.encode(spec.tags.module),
};

export const ZERO32 = new Uint8Array(32);
/** Z[k]: root of an all-zero subtree of height k. */
export const Z: Uint8Array[] = Array.from({ length: 33 }, (_, k) => zeroHash(k));

/** ceil(log2(max(n, 1))). */
export function depthFor(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** Depth of the input tree: just deep enough for the input's leaves (spec/STATE.md section 1). */
export function inputDepth(inputLength: number): number {
  return inputTreeDepth(inputLength);
}

/** Depth of the memory tree for an effective maximum of `maxPages` pages. */
export function memoryDepth(maxPages: number): number {
  return Math.max(MIN_MEMORY_TREE_DEPTH, depthFor(maxPages) + spec.widths.pageLeavesLog2);
}

/** Every field of the state commitment. Roots and hashes are 32-byte arrays. */
export interface Header {
  status: number;
  trap: number;
  nlocals: number;
  pc: number;
  steps: number;
  sp: number;
  fp: number;
  depth: number;
  /** The top operand of the current frame (0 when its operand stack is empty). */
  top: bigint;
  /** Hash chain of the current frame's operands below the top one. */
  operands: Uint8Array;
  localsRoot: Uint8Array;
  framesHash: Uint8Array;
  globalsRoot: Uint8Array;
  // heap
  memoryRoot: Uint8Array;
  memoryPages: number;
  tableRoot: Uint8Array;
  dataRoot: Uint8Array;
  elemRoot: Uint8Array;
  outputAcc: Uint8Array;
  outputPartial: Uint8Array;
  outputLength: number;
  // static
  codeRoot: Uint8Array;
  codeLength: number;
  funcsRoot: Uint8Array;
  nFuncs: number;
  nGlobals: number;
  tableSize: number;
  nData: number;
  nElem: number;
  inputRoot: Uint8Array;
  inputLength: number;
  maxSteps: number;
  maxMemoryPages: number;
  maxCallDepth: number;
  maxValueStack: number;
  maxOutputBytes: number;
  maxTableEntries: number;
  // micro-step register (spec/STATE.md section 2, "Micro-steps")
  /** Progress of the instruction at pc when it takes several steps (0: none). */
  mp: number;
  /** Number of values in the aux chain. */
  auxLen: number;
  /** The aux chain of values moved aside, or the pending locals root of a call (0^32 when unused). */
  aux: Uint8Array;
}

export function cloneHeader(h: Header): Header {
  return { ...h };
}

/** w(n): a 32-byte big-endian word of a non-negative safe integer or bigint. */
export function word(n: number | bigint): Uint8Array {
  const out = new Uint8Array(32);
  putWord(out, 0, n);
  return out;
}

export function putWord(out: Uint8Array, off: number, n: number | bigint): void {
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) {
    // The common case (counts, lengths, indexes) without BigInt: the same bytes.
    for (let i = 31; n > 0; i--) {
      out[off + i] = n % 256;
      n = Math.floor(n / 256);
    }
    return;
  }
  let v = BigInt(n);
  if (v < 0n) throw new RangeError(`word of a negative number ${v}`);
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Reads a 32-byte big-endian word as a bigint. */
export function readWord(b: Uint8Array, off = 0): bigint {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(b[off + i]!);
  return v;
}

export function H(...parts: Uint8Array[]): Uint8Array {
  return keccak256Parts(parts);
}

/** The control bytes: u8 status, u8 trap, u32 nlocals, u32 pc, u64 steps, u32 sp, u32 fp, u32 depth (30 bytes). */
export function controlBytes(h: Header): Uint8Array {
  const out = new Uint8Array(30);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, h.status);
  dv.setUint8(1, h.trap);
  dv.setUint32(2, h.nlocals);
  dv.setUint32(6, h.pc);
  dv.setBigUint64(10, BigInt(h.steps));
  dv.setUint32(18, h.sp);
  dv.setUint32(22, h.fp);
  dv.setUint32(26, h.depth);
  return out;
}

/** The proof's control word: the 30 control bytes, left-aligned, then two zero bytes. */
export function controlWord(h: Header): Uint8Array {
  const out = new Uint8Array(32);
  out.set(controlBytes(h));
  return out;
}

export function parseControl(w: Uint8Array, h: Header): void {
  const dv = new DataView(w.buffer, w.byteOffset, 32);
  h.status = dv.getUint8(0);
  h.trap = dv.getUint8(1);
  h.nlocals = dv.getUint32(2);
  h.pc = dv.getUint32(6);
  const steps = dv.getBigUint64(10);
  if (steps > BigInt(MAX_NUMBER)) throw new ProofError("BadHeader", `step count ${steps} out of range`);
  h.steps = Number(steps);
  h.sp = dv.getUint32(18);
  h.fp = dv.getUint32(22);
  h.depth = dv.getUint32(26);
}

/** u64 big-endian (8 bytes). */
export function u64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v));
  return out;
}

/** The heap fields in commitment order (spec/STATE.md section 3): heapHash preimage and proof words. */
export function heapWords(h: Header): Uint8Array[] {
  return [h.memoryRoot, word(h.memoryPages), h.tableRoot, h.dataRoot, h.elemRoot, h.outputAcc, h.outputPartial, word(h.outputLength)];
}

/** The static fields in commitment order: staticHash preimage and proof words. */
export function staticWords(h: Header): Uint8Array[] {
  return [
    h.codeRoot,
    word(h.codeLength),
    h.funcsRoot,
    word(h.nFuncs),
    word(h.nGlobals),
    word(h.tableSize),
    word(h.nData),
    word(h.nElem),
    h.inputRoot,
    word(h.inputLength),
    ...LIMIT_NAMES.map((n) => word(h[n])),
  ];
}

// The word counts the Solidity side takes from spec/state.json must be what these lists hold.
const SAMPLE = { codeLength: 0, nFuncs: 0, nGlobals: 0, tableSize: 0, nData: 0, nElem: 0, inputLength: 0, maxSteps: 0, maxMemoryPages: 0, maxCallDepth: 0, maxValueStack: 0, maxOutputBytes: 0, maxTableEntries: 0, memoryPages: 0, outputLength: 0 } as Header;
if (heapWords(SAMPLE).length !== spec.widths.heapWords || staticWords(SAMPLE).length !== spec.widths.staticWords)
  throw new Error("spec/state.json widths.heapWords/staticWords disagree with src/state/header.ts");

export function heapHash(h: Header): Uint8Array {
  return H(TAG.heap, ...heapWords(h));
}

export function staticHash(h: Header): Uint8Array {
  return H(TAG.static, ...staticWords(h));
}

/** The micro-step words in commitment order: restHash preimage tail and proof words. */
export function microWords(h: Pick<Header, "mp" | "auxLen" | "aux">): Uint8Array[] {
  return [word(h.mp), word(h.auxLen), h.aux];
}

/** restHash = H("Rest:" || framesHash || globalsRoot || heapHash || staticHash || w(mp) || w(auxLen) || aux). */
export function restHashOf(framesHash: Uint8Array, globalsRoot: Uint8Array, heap: Uint8Array, stat: Uint8Array, micro: Pick<Header, "mp" | "auxLen" | "aux">): Uint8Array {
  return H(TAG.rest, framesHash, globalsRoot, heap, stat, ...microWords(micro));
}

/**
 * stateHash = H("M" || control(30) || u64(top) || operands || localsRoot || restHash):
 * 135 bytes, one keccak block. Keeping the top operand out of the chain means a
 * step that replaces the top (most arithmetic) hashes no chain entry.
 */
export function stateHashOf(control: Uint8Array, top: bigint, operands: Uint8Array, localsRoot: Uint8Array, rest: Uint8Array): Uint8Array {
  return H(TAG.machine, control, u64(top), operands, localsRoot, rest);
}

export function headerHash(h: Header): Uint8Array {
  return stateHashOf(controlBytes(h), h.top, h.operands, h.localsRoot, restHashOf(h.framesHash, h.globalsRoot, heapHash(h), staticHash(h), h));
}

/** The header as the proof's leading words (spec/STATE.md section 4). */
export function encodeHeader(h: Header): Uint8Array[] {
  return [word(LAYOUT_VERSION), controlWord(h), word(h.top), h.operands, h.localsRoot, h.framesHash, h.globalsRoot, ...heapWords(h), ...staticWords(h), ...microWords(h)];
}

/** The frame record hash pushed on call (spec/STATE.md section 2). */
export function frameHash(
  prev: Uint8Array,
  returnPc: number,
  callerFp: number,
  callerNlocals: number,
  callerLocalsRoot: Uint8Array,
  callerTop: bigint,
  callerOperands: Uint8Array,
): Uint8Array {
  return H(TAG.frame, prev, word(returnPc), word(callerFp), word(callerNlocals), callerLocalsRoot, word(callerTop), callerOperands);
}

export function segmentLeaf(tag: Uint8Array, root: Uint8Array, len: number): Uint8Array {
  return H(tag, root, word(len));
}

/** The output commitment the chain checks a claimed output against. */
export function outputHash(acc: Uint8Array, partial: Uint8Array, length: number): Uint8Array {
  return H(TAG.output, acc, partial, word(length));
}

/** Folds output bytes into (acc, partial) as the machine does leaf by leaf. */
export function foldOutput(bytes: Uint8Array): { acc: Uint8Array; partial: Uint8Array } {
  let acc: Uint8Array = ZERO32;
  const full = Math.floor(bytes.length / 32);
  for (let i = 0; i < full; i++) acc = H(acc, bytes.subarray(32 * i, 32 * i + 32));
  const partial = new Uint8Array(32);
  partial.set(bytes.subarray(32 * full));
  return { acc, partial };
}
