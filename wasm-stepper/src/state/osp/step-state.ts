/**
 * The state of one step on the commitment (spec/STATE.md section 4): the header
 * being built and witness-backed accessors. Twin of the Solidity library of the
 * same role; the families of instructions are in control.ts, memory.ts,
 * numeric.ts and host.ts, and entry.ts dispatches to them.
 */
import { H, PAGE_BYTES, ZERO32, cloneHeader, depthFor, memoryDepth, readWord, segmentLeaf, TAG, Z, type Header } from "../header.ts";
import { ProofError } from "../errors.ts";
import type { TrapCode } from "../../types.ts";

export interface MerkleItem {
  leaf: Uint8Array;
  siblings: Uint8Array[];
}
export interface OperandItem {
  value: Uint8Array;
  beneath: Uint8Array;
}
export interface FrameItem {
  prev: Uint8Array;
  returnPc: number;
  callerFp: number;
  callerNlocals: number;
  callerLocalsRoot: Uint8Array;
  callerTop: bigint;
  callerOperands: Uint8Array;
}
export interface SegmentItem extends MerkleItem {
  root: Uint8Array;
  len: number;
}
export type TreeKind = "code" | "locals" | "globals" | "memory" | "table" | "funcs" | "data" | "elem" | "dataLeaf" | "elemLeaf" | "input" | "pending";

/** Where the items of a step come from: a proof (verify) or a machine (prove). */
export interface WitnessSource {
  operand(): OperandItem;
  /** A value popped from the aux chain (spec/STATE.md section 2, "Micro-steps"). */
  auxOperand(): OperandItem;
  merkle(kind: TreeKind, index: number, depth: number, seg?: number): MerkleItem;
  segment(kind: "data" | "elem", index: number, depth: number): SegmentItem;
  frame(): FrameItem;
  /** A leaf of `kind` was written (prove mode keeps later paths consistent). */
  written(kind: TreeKind, index: number, leaf: Uint8Array): void;
}

export const PAGE = PAGE_BYTES;
export const MASK32 = 0xffffffffn;
export const MASK64 = (1n << 64n) - 1n;

/** Root from a leaf and its siblings (bottom-up). */
export function rootOf(index: number, leaf: Uint8Array, siblings: Uint8Array[]): Uint8Array {
  let cur = leaf;
  let i = index;
  for (const s of siblings) {
    cur = (i & 1) === 0 ? H(cur, s) : H(s, cur);
    i = Math.floor(i / 2);
  }
  return cur;
}

export function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function u32be(w: Uint8Array, off: number): number {
  return ((w[off]! << 24) | (w[off + 1]! << 16) | (w[off + 2]! << 8) | w[off + 3]!) >>> 0;
}

export function valueWord(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v & MASK64;
  for (let i = 31; i >= 24; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** The state of one step in progress: the post-state header being built and the witness. */
export class StepState {
  readonly h: Header;
  readonly memDepth: number;
  popped = 0;
  /** Whether h.top holds the current frame's top operand (see pop). */
  topValid = true;

  constructor(
    readonly pre: Header,
    readonly w: WitnessSource,
  ) {
    this.h = cloneHeader(pre);
    this.memDepth = memoryDepth(pre.maxMemoryPages);
  }

  // ---- witness-backed accessors (each is a Solidity function of the same name) ----

  readInstruction(pc: number): [number, number, number, number] {
    const h = this.h;
    if (pc >= h.codeLength) throw new ProofError("InstructionOutOfRange", `pc ${pc} is outside the code (${h.codeLength} instructions)`);
    const it = this.w.merkle("code", pc, depthFor(h.codeLength));
    if (!eq(rootOf(pc, it.leaf, it.siblings), h.codeRoot)) throw new ProofError("BadCodeProof", `instruction at pc ${pc} does not match the code root`);
    return [u32be(it.leaf, 0), u32be(it.leaf, 4) | 0, u32be(it.leaf, 8) | 0, u32be(it.leaf, 12) | 0];
  }

  /** Operands above the frame's locals. */
  height(): number {
    return this.h.sp - this.h.fp - this.h.nlocals;
  }

  /**
   * Pops a value. The top operand is in the header (h.top) while `topValid`;
   * deeper ones come from the witness as (value, hash beneath), checked against
   * the chain (spec/STATE.md section 2).
   */
  pop(): bigint {
    const h = this.h;
    if (this.height() <= 0) throw new ProofError("StackUnderflow", `pop from an empty operand stack`);
    h.sp--;
    // A value slot is 64 bits: a wider word (only in a crafted chain) is used as its low 64 bits.
    if (this.topValid) {
      this.topValid = false;
      return h.top & MASK64;
    }
    const it = this.w.operand();
    if (!eq(H(it.beneath, it.value), h.operands)) throw new ProofError("BadOperandProof", `operand ${this.popped} does not match the operand stack hash`);
    this.popped++;
    h.operands = it.beneath;
    return readWord(it.value) & MASK64;
  }

  push(v: bigint): void {
    const h = this.h;
    // The old top joins the chain; with !topValid the chain already holds every operand.
    if (this.topValid && this.height() > 0) h.operands = H(h.operands, valueWord(h.top));
    h.top = v & MASK64;
    this.topValid = true;
    h.sp++;
  }

  /** Makes h.top the real top again after pops: reveals it from the witness if needed. */
  settle(): void {
    const h = this.h;
    if (this.topValid) return;
    this.topValid = true;
    if (this.height() === 0) {
      h.top = 0n;
      return;
    }
    const it = this.w.operand();
    if (!eq(H(it.beneath, it.value), h.operands)) throw new ProofError("BadOperandProof", `operand ${this.popped} does not match the operand stack hash`);
    this.popped++;
    h.operands = it.beneath;
    h.top = readWord(it.value);
  }

  /** Pops a value from the aux chain: (value, hash beneath) from the witness, checked against h.aux. */
  auxPop(): bigint {
    const h = this.h;
    const it = this.w.auxOperand();
    if (!eq(H(it.beneath, it.value), h.aux)) throw new ProofError("BadOperandProof", `aux value does not match the aux chain`);
    h.aux = it.beneath;
    return readWord(it.value) & MASK64;
  }

  /** Pushes a value on the aux chain. */
  auxPush(v: bigint): void {
    this.h.aux = H(this.h.aux, valueWord(v));
  }

  /** Reads a leaf of a tree and checks it against `root`; returns the item for a later write. */
  readLeaf(kind: TreeKind, index: number, depth: number, root: Uint8Array, seg?: number): MerkleItem {
    const it = this.w.merkle(kind, index, depth, seg);
    if (it.siblings.length !== depth) throw new ProofError("BadMerkleProof", `${kind} proof has ${it.siblings.length} siblings, expected ${depth}`);
    if (!eq(rootOf(index, it.leaf, it.siblings), root)) throw new ProofError("BadMerkleProof", `${kind} leaf ${index} does not match its root`);
    return it;
  }

  /** The new root after writing `leaf` at the place `it` proved. */
  writeLeaf(kind: TreeKind, index: number, it: MerkleItem, leaf: Uint8Array): Uint8Array {
    this.w.written(kind, index, leaf);
    return rootOf(index, leaf, it.siblings);
  }

  readSegment(kind: "data" | "elem", index: number): SegmentItem {
    const h = this.h;
    const n = kind === "data" ? h.nData : h.nElem;
    if (index >= n) throw new ProofError("SegmentOutOfRange", `${kind} segment ${index} is outside the module (${n} segments)`);
    const root = kind === "data" ? h.dataRoot : h.elemRoot;
    const depth = depthFor(n);
    const it = this.w.segment(kind, index, depth);
    if (!eq(rootOf(index, it.leaf, it.siblings), root)) throw new ProofError("BadMerkleProof", `${kind} segment ${index} does not match its root`);
    if (eq(it.leaf, ZERO32)) {
      // Dropped: length 0, nothing to open.
      if (it.len !== 0 || !eq(it.root, ZERO32)) throw new ProofError("BadSegmentProof", `dropped ${kind} segment ${index} must open as zero`);
    } else if (!eq(segmentLeaf(kind === "data" ? TAG.data : TAG.elem, it.root, it.len), it.leaf)) {
      throw new ProofError("BadSegmentProof", `${kind} segment ${index} record does not match its leaf`);
    }
    return it;
  }

  readMemLeaf(leafIndex: number): MerkleItem {
    return this.readLeaf("memory", leafIndex, this.memDepth, this.h.memoryRoot);
  }

  writeMemLeaf(leafIndex: number, it: MerkleItem, leaf: Uint8Array): void {
    this.h.memoryRoot = this.writeLeaf("memory", leafIndex, it, leaf);
  }

  readFunc(f: number): { entry: number; nparams: number; nlocals: number; maxHeight: number; typeId: number; nresults: number } {
    const h = this.h;
    if (f >= h.nFuncs) throw new ProofError("FunctionOutOfRange", `function ${f} is outside the module (${h.nFuncs})`);
    const it = this.readLeaf("funcs", f, depthFor(h.nFuncs), h.funcsRoot);
    const l = it.leaf;
    return { entry: u32be(l, 0), nparams: u32be(l, 4), nlocals: u32be(l, 8), maxHeight: u32be(l, 12), typeId: u32be(l, 16), nresults: u32be(l, 20) };
  }

  // ---- the step ----

  /** Linear memory size in bytes. */
  memBytes(): number {
    return this.h.memoryPages * PAGE;
  }

}

/** Root of a locals tree: params then zeros, at depth depthFor(nlocals). */
export function localsRootOf(params: bigint[], nlocals: number): Uint8Array {
  const depth = depthFor(nlocals);
  let level = params.map(valueWord);
  for (let k = 0; k < depth; k++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(H(level[i]!, i + 1 < level.length ? level[i + 1]! : Z[k]!));
    level = next;
  }
  return level.length ? level[0]! : Z[depth]!;
}

