/**
 * One step on the state commitment: the semantics of spec/EXECUTION.md,
 * executed on a Header and a witness (spec/STATE.md section 4). This is the
 * TypeScript twin of the Solidity one-step prover: `verifyStep` runs it on a
 * witness read from a proof, `proveStep` on a witness produced from a machine,
 * so the order of witness reads is defined once, here.
 */
import { OPCODE_NAMES } from "../ir/opcodes.ts";
import * as Op from "../ir/opcodes.ts";
import { H, NULL_FUNC, STATUS_CODE, TRAP_CODE, Z, ZERO32, cloneHeader, depthFor, frameHash, memoryDepth, readWord, segmentLeaf, TAG, INPUT_TREE_DEPTH, type Header } from "./header.ts";
import { ProofError } from "./errors.ts";
import type { TrapCode } from "../types.ts";

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
export type TreeKind = "code" | "locals" | "globals" | "memory" | "table" | "funcs" | "data" | "elem" | "dataLeaf" | "elemLeaf" | "input";

/** Where the items of a step come from: a proof (verify) or a machine (prove). */
export interface WitnessSource {
  operand(): OperandItem;
  merkle(kind: TreeKind, index: number, depth: number, seg?: number): MerkleItem;
  segment(kind: "data" | "elem", index: number, depth: number): SegmentItem;
  frame(): FrameItem;
  /** A leaf of `kind` was written (prove mode keeps later paths consistent). */
  written(kind: TreeKind, index: number, leaf: Uint8Array): void;
}

const PAGE = 65536;
const MASK32 = 0xffffffffn;
const MASK64 = (1n << 64n) - 1n;

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

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function u32be(w: Uint8Array, off: number): number {
  return ((w[off]! << 24) | (w[off + 1]! << 16) | (w[off + 2]! << 8) | w[off + 3]!) >>> 0;
}

function valueWord(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v & MASK64;
  for (let i = 31; i >= 24; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

class Trap extends Error {
  constructor(readonly code: TrapCode) {
    super(code);
  }
}

/** The step executor: mutable post-state header + witness reads. */
class Step {
  readonly h: Header;
  readonly memDepth: number;
  private popped = 0;
  /** Whether h.top holds the current frame's top operand (see pop). */
  private topValid = true;

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
    if (this.topValid) {
      this.topValid = false;
      return h.top;
    }
    const it = this.w.operand();
    if (!eq(H(it.beneath, it.value), h.operands)) throw new ProofError("BadOperandProof", `operand ${this.popped} does not match the operand stack hash`);
    this.popped++;
    h.operands = it.beneath;
    return readWord(it.value);
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

  /** Reads `size` bytes little-endian at `ea` (within memory: checked by the caller). */
  loadBytes(ea: number, size: number): bigint {
    const first = Math.floor(ea / 32);
    const last = Math.floor((ea + size - 1) / 32);
    const a = this.readMemLeaf(first).leaf;
    const b = last !== first ? this.readMemLeaf(last).leaf : a;
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) {
      const addr = ea + k;
      const byte = Math.floor(addr / 32) === first ? a[addr % 32]! : b[addr % 32]!;
      v = (v << 8n) | BigInt(byte);
    }
    return v;
  }

  storeBytes(ea: number, size: number, v: bigint): void {
    const first = Math.floor(ea / 32);
    const last = Math.floor((ea + size - 1) / 32);
    for (let leafIdx = first; leafIdx <= last; leafIdx++) {
      const it = this.readMemLeaf(leafIdx);
      const leaf = it.leaf.slice();
      for (let k = 0; k < size; k++) {
        const addr = ea + k;
        if (Math.floor(addr / 32) === leafIdx) leaf[addr % 32] = Number((v >> BigInt(8 * k)) & 0xffn);
      }
      this.writeMemLeaf(leafIdx, it, leaf);
    }
  }

  readFunc(f: number): { entry: number; nparams: number; nlocals: number; maxHeight: number; typeId: number; nresults: number } {
    const h = this.h;
    if (f >= h.nFuncs) throw new ProofError("FunctionOutOfRange", `function ${f} is outside the module (${h.nFuncs})`);
    const it = this.readLeaf("funcs", f, depthFor(h.nFuncs), h.funcsRoot);
    const l = it.leaf;
    return { entry: u32be(l, 0), nparams: u32be(l, 4), nlocals: u32be(l, 8), maxHeight: u32be(l, 12), typeId: u32be(l, 16), nresults: u32be(l, 20) };
  }

  // ---- the step ----

  run(): Header {
    const h = this.h;
    if (h.status !== STATUS_CODE.running) return cloneHeader(this.pre);
    const [op, a, b, c] = this.readInstruction(h.pc);
    try {
      this.execute(op, a, b, c);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      // A trap changes nothing but the status, the trap code and the step count.
      const t = cloneHeader(this.pre);
      t.status = STATUS_CODE.trapped;
      t.trap = TRAP_CODE[e.code];
      t.steps = this.pre.steps + 1;
      return t;
    }
    this.settle();
    h.steps = this.pre.steps + 1;
    if (h.status === STATUS_CODE.running && h.steps === h.maxSteps) h.status = STATUS_CODE.out_of_steps;
    return h;
  }

  private branchTo(target: number, keep: number, drop: number): void {
    const h = this.h;
    if (drop > 0) {
      const kept: bigint[] = [];
      for (let k = 0; k < keep; k++) kept.push(this.pop());
      for (let k = 0; k < drop; k++) this.pop();
      for (let k = keep - 1; k >= 0; k--) this.push(kept[k]!);
    }
    h.pc = target >>> 0;
  }

  private doReturn(keep: number): void {
    const h = this.h;
    const kept: bigint[] = [];
    for (let k = 0; k < keep; k++) kept.push(this.pop());
    if (h.depth === 0) throw new ProofError("NoFrame", "return from the bottom frame");
    const f = this.w.frame();
    if (!eq(frameHash(f.prev, f.returnPc, f.callerFp, f.callerNlocals, f.callerLocalsRoot, f.callerTop, f.callerOperands), h.framesHash))
      throw new ProofError("BadFrameProof", "frame record does not match the frames hash");
    const calleeFp = h.fp;
    h.framesHash = f.prev;
    h.fp = f.callerFp;
    h.nlocals = f.callerNlocals;
    h.localsRoot = f.callerLocalsRoot;
    h.top = f.callerTop;
    h.operands = f.callerOperands;
    this.topValid = true;
    h.sp = calleeFp;
    for (let k = keep - 1; k >= 0; k--) this.push(kept[k]!);
    h.depth--;
    h.pc = f.returnPc;
  }

  private doCall(f: number, fn: ReturnType<Step["readFunc"]>): void {
    const h = this.h;
    if (fn.entry === NULL_FUNC) throw new ProofError("HostFunctionCalled", `function ${f} is a host function`);
    const nfp = h.sp - fn.nparams;
    if (h.depth >= h.maxCallDepth) throw new Trap("call_stack_exhausted");
    if (nfp + fn.nlocals + fn.maxHeight > h.maxValueStack) throw new Trap("value_stack_exhausted");
    const params: bigint[] = [];
    for (let k = 0; k < fn.nparams; k++) params.push(this.pop());
    params.reverse();
    // The caller is suspended with its top operand known (spec/STATE.md section 2).
    this.settle();
    h.framesHash = frameHash(h.framesHash, h.pc + 1, h.fp, h.nlocals, h.localsRoot, h.top, h.operands);
    h.localsRoot = localsRootOf(params, fn.nlocals);
    h.fp = nfp;
    h.nlocals = fn.nlocals;
    h.top = 0n;
    h.operands = ZERO32;
    this.topValid = true;
    h.sp = nfp + fn.nlocals;
    h.depth++;
    h.pc = fn.entry;
  }

  private memBytes(): number {
    return this.h.memoryPages * PAGE;
  }

  private execute(op: number, a: number, b: number, c: number): void {
    const h = this.h;
    switch (op) {
      // ---- control ----
      case Op.UNREACHABLE:
        throw new Trap("unreachable");
      case Op.BR:
        return this.branchTo(a, b, c);
      case Op.BR_IF:
        if (this.pop() !== 0n) return this.branchTo(a, b, c);
        h.pc++;
        return;
      case Op.BR_UNLESS:
        h.pc = this.pop() === 0n ? a >>> 0 : h.pc + 1;
        return;
      case Op.BR_TABLE: {
        const k = Number(this.pop());
        const n = a >>> 0;
        const [eop, ea, eb, ec] = this.readInstruction(h.pc + 1 + Math.min(k, n));
        if (eop !== Op.BR_TABLE_ENTRY) throw new ProofError("BadInstruction", "br_table entry expected");
        if (ea === -1) return this.doReturn(eb);
        return this.branchTo(ea, eb, ec);
      }
      case Op.RETURN:
        return this.doReturn(a);
      case Op.RETURN_IF:
        if (this.pop() !== 0n) return this.doReturn(a);
        h.pc++;
        return;
      case Op.CALL:
        return this.doCall(a, this.readFunc(a));
      case Op.CALL_INDIRECT: {
        const k = Number(this.pop());
        if (k >= h.tableSize) throw new Trap("out_of_bounds_table");
        const e = this.readLeaf("table", k, depthFor(h.tableSize), h.tableRoot);
        const f = Number(readWord(e.leaf));
        if (f === NULL_FUNC) throw new Trap("indirect_call_null");
        const fn = this.readFunc(f);
        if (fn.typeId !== b >>> 0) throw new Trap("indirect_call_type_mismatch");
        return this.doCall(f, fn);
      }
      case Op.FINISH:
        h.status = STATUS_CODE.finished;
        return;
      // ---- parametric and variables ----
      case Op.DROP:
        this.pop();
        h.pc++;
        return;
      case Op.SELECT: {
        const cond = this.pop();
        const y = this.pop();
        const x = this.pop();
        this.push(cond !== 0n ? x : y);
        h.pc++;
        return;
      }
      case Op.LOCAL_GET: {
        if (a >>> 0 >= h.nlocals) throw new ProofError("LocalOutOfRange", `local ${a} >= ${h.nlocals}`);
        const it = this.readLeaf("locals", a, depthFor(h.nlocals), h.localsRoot);
        this.push(readWord(it.leaf));
        h.pc++;
        return;
      }
      case Op.LOCAL_SET:
      case Op.LOCAL_TEE: {
        const v = this.pop();
        if (a >>> 0 >= h.nlocals) throw new ProofError("LocalOutOfRange", `local ${a} >= ${h.nlocals}`);
        const it = this.readLeaf("locals", a, depthFor(h.nlocals), h.localsRoot);
        h.localsRoot = this.writeLeaf("locals", a, it, valueWord(v));
        if (op === Op.LOCAL_TEE) this.push(v);
        h.pc++;
        return;
      }
      case Op.GLOBAL_GET: {
        if (a >>> 0 >= h.nGlobals) throw new ProofError("GlobalOutOfRange", `global ${a} >= ${h.nGlobals}`);
        const it = this.readLeaf("globals", a, depthFor(h.nGlobals), h.globalsRoot);
        this.push(readWord(it.leaf));
        h.pc++;
        return;
      }
      case Op.GLOBAL_SET: {
        const v = this.pop();
        if (a >>> 0 >= h.nGlobals) throw new ProofError("GlobalOutOfRange", `global ${a} >= ${h.nGlobals}`);
        const it = this.readLeaf("globals", a, depthFor(h.nGlobals), h.globalsRoot);
        h.globalsRoot = this.writeLeaf("globals", a, it, valueWord(v));
        h.pc++;
        return;
      }
      // ---- memory ----
      case Op.MEMORY_SIZE:
        this.push(BigInt(h.memoryPages));
        h.pc++;
        return;
      case Op.MEMORY_GROW: {
        const delta = Number(this.pop());
        const old = h.memoryPages;
        if (old + delta > h.maxMemoryPages) this.push(MASK32);
        else {
          h.memoryPages = old + delta;
          this.push(BigInt(old));
        }
        h.pc++;
        return;
      }
      case Op.MEMORY_FILL:
      case Op.MEMORY_COPY:
      case Op.MEMORY_INIT:
      case Op.TABLE_COPY:
      case Op.TABLE_INIT:
      case Op.DATA_DROP:
      case Op.ELEM_DROP:
        return this.bulk(op, a);
      case Op.HOST_INPUT_SIZE:
      case Op.HOST_INPUT_READ:
      case Op.HOST_OUTPUT_WRITE:
        return this.host(op);
      case Op.I32_CONST:
        this.push(BigInt(a >>> 0));
        h.pc++;
        return;
      case Op.I64_CONST:
        this.push((BigInt(b >>> 0) << 32n) | BigInt(a >>> 0));
        h.pc++;
        return;
    }
    const mem = MEMORY_OPS[op];
    if (mem) {
      const [size, signed, is64, store] = mem;
      let v = 0n;
      if (store) v = this.pop();
      const ea = Number(this.pop()) + (a >>> 0);
      if (ea + size > this.memBytes()) throw new Trap("out_of_bounds_memory");
      if (store) this.storeBytes(ea, size, v);
      else {
        let x = this.loadBytes(ea, size);
        if (signed) x = BigInt.asUintN(is64 ? 64 : 32, BigInt.asIntN(size * 8, x));
        this.push(x);
      }
      h.pc++;
      return;
    }
    const num = numeric(op);
    if (num) {
      const args: bigint[] = [];
      for (let k = 0; k < num.arity; k++) args.push(this.pop());
      args.reverse();
      const r = num.fn(args);
      if (typeof r === "string") throw new Trap(r);
      this.push(r);
      h.pc++;
      return;
    }
    throw new ProofError("UnknownOpcode", `unknown or non-executable opcode ${op} (${OPCODE_NAMES[op] ?? "?"})`);
  }

  /** Micro-stepped bulk instructions and segment drops (EXECUTION.md section 5). */
  private bulk(op: number, seg: number): void {
    const h = this.h;
    if (op === Op.DATA_DROP || op === Op.ELEM_DROP) {
      const kind = op === Op.DATA_DROP ? "data" : "elem";
      const it = this.readSegment(kind, seg);
      const root = this.writeLeaf(kind, seg, it, ZERO32);
      if (kind === "data") h.dataRoot = root;
      else h.elemRoot = root;
      h.pc++;
      return;
    }
    const n = Number(this.pop());
    const s = Number(this.pop());
    const d = Number(this.pop());
    const done = () => {
      h.pc++;
    };
    if (op === Op.MEMORY_FILL) {
      // Operands: d, s = fill value, n.
      if (d + n > this.memBytes()) throw new Trap("out_of_bounds_memory");
      if (n === 0) return done();
      const cnt = Math.min(n, 32 - (d % 32));
      const it = this.readMemLeaf(Math.floor(d / 32));
      const leaf = it.leaf.slice();
      leaf.fill(s & 0xff, d % 32, (d % 32) + cnt);
      this.writeMemLeaf(Math.floor(d / 32), it, leaf);
      if (n === cnt) return done();
      this.push(BigInt(d + cnt));
      this.push(BigInt(s));
      this.push(BigInt(n - cnt));
      return;
    }
    if (op === Op.MEMORY_COPY) {
      const len = this.memBytes();
      if (s + n > len || d + n > len) throw new Trap("out_of_bounds_memory");
      if (n === 0) return done();
      const fwd = d <= s;
      const cnt = fwd ? Math.min(n, 32 - (d % 32), 32 - (s % 32)) : Math.min(n, ((d + n - 1) % 32) + 1, ((s + n - 1) % 32) + 1);
      const src = fwd ? s : s + n - cnt;
      const dst = fwd ? d : d + n - cnt;
      const bytes = this.readMemLeaf(Math.floor(src / 32)).leaf.slice(src % 32, (src % 32) + cnt);
      const it = this.readMemLeaf(Math.floor(dst / 32));
      const leaf = it.leaf.slice();
      leaf.set(bytes, dst % 32);
      this.writeMemLeaf(Math.floor(dst / 32), it, leaf);
      if (n === cnt) return done();
      this.push(BigInt(fwd ? d + cnt : d));
      this.push(BigInt(fwd ? s + cnt : s));
      this.push(BigInt(n - cnt));
      return;
    }
    if (op === Op.MEMORY_INIT) {
      const sg = this.readSegment("data", seg);
      if (s + n > sg.len || d + n > this.memBytes()) throw new Trap("out_of_bounds_memory");
      if (n === 0) return done();
      const cnt = Math.min(n, 32 - (d % 32), 32 - (s % 32));
      const dl = this.readLeaf("dataLeaf", Math.floor(s / 32), depthFor(Math.ceil(sg.len / 32)), sg.root, seg);
      const bytes = dl.leaf.slice(s % 32, (s % 32) + cnt);
      const it = this.readMemLeaf(Math.floor(d / 32));
      const leaf = it.leaf.slice();
      leaf.set(bytes, d % 32);
      this.writeMemLeaf(Math.floor(d / 32), it, leaf);
      if (n === cnt) return done();
      this.push(BigInt(d + cnt));
      this.push(BigInt(s + cnt));
      this.push(BigInt(n - cnt));
      return;
    }
    const tdepth = depthFor(h.tableSize);
    if (op === Op.TABLE_COPY) {
      if (s + n > h.tableSize || d + n > h.tableSize) throw new Trap("out_of_bounds_table");
      if (n === 0) return done();
      const fwd = d <= s;
      const src = fwd ? s : s + n - 1;
      const dst = fwd ? d : d + n - 1;
      const v = this.readLeaf("table", src, tdepth, h.tableRoot).leaf;
      const it = this.readLeaf("table", dst, tdepth, h.tableRoot);
      h.tableRoot = this.writeLeaf("table", dst, it, v);
      if (n === 1) return done();
      this.push(BigInt(fwd ? d + 1 : d));
      this.push(BigInt(fwd ? s + 1 : s));
      this.push(BigInt(n - 1));
      return;
    }
    // TABLE_INIT
    const sg = this.readSegment("elem", seg);
    if (s + n > sg.len || d + n > h.tableSize) throw new Trap("out_of_bounds_table");
    if (n === 0) return done();
    const v = this.readLeaf("elemLeaf", s, depthFor(sg.len), sg.root, seg).leaf;
    const it = this.readLeaf("table", d, tdepth, h.tableRoot);
    h.tableRoot = this.writeLeaf("table", d, it, v);
    if (n === 1) return done();
    this.push(BigInt(d + 1));
    this.push(BigInt(s + 1));
    this.push(BigInt(n - 1));
  }

  /** The task host API (EXECUTION.md section 2). */
  private host(op: number): void {
    const h = this.h;
    if (op === Op.HOST_INPUT_SIZE) {
      this.push(BigInt(h.inputLength));
      h.pc++;
      return;
    }
    if (op === Op.HOST_INPUT_READ) {
      const n = Number(this.pop());
      const off = Number(this.pop());
      const d = Number(this.pop());
      if (off + n > h.inputLength) throw new Trap("input_out_of_bounds");
      if (d + n > this.memBytes()) throw new Trap("out_of_bounds_memory");
      if (n === 0) {
        h.pc++;
        return;
      }
      const cnt = Math.min(n, 32 - (d % 32), 32 - (off % 32));
      const il = this.readLeaf("input", Math.floor(off / 32), INPUT_TREE_DEPTH, h.inputRoot);
      const bytes = il.leaf.slice(off % 32, (off % 32) + cnt);
      const it = this.readMemLeaf(Math.floor(d / 32));
      const leaf = it.leaf.slice();
      leaf.set(bytes, d % 32);
      this.writeMemLeaf(Math.floor(d / 32), it, leaf);
      if (n === cnt) {
        h.pc++;
        return;
      }
      this.push(BigInt(d + cnt));
      this.push(BigInt(off + cnt));
      this.push(BigInt(n - cnt));
      return;
    }
    // HOST_OUTPUT_WRITE
    const n = Number(this.pop());
    const src = Number(this.pop());
    if (src + n > this.memBytes()) throw new Trap("out_of_bounds_memory");
    if (h.outputLength + n > h.maxOutputBytes) throw new Trap("output_limit");
    if (n === 0) {
      h.pc++;
      return;
    }
    const o = h.outputLength;
    const cnt = Math.min(n, 32 - (src % 32), 32 - (o % 32));
    const bytes = this.readMemLeaf(Math.floor(src / 32)).leaf.slice(src % 32, (src % 32) + cnt);
    const partial = h.outputPartial.slice();
    partial.set(bytes, o % 32);
    h.outputLength = o + cnt;
    if (h.outputLength % 32 === 0) {
      h.outputAcc = H(h.outputAcc, partial);
      h.outputPartial = ZERO32;
    } else h.outputPartial = partial;
    if (n === cnt) {
      h.pc++;
      return;
    }
    this.push(BigInt(src + cnt));
    this.push(BigInt(n - cnt));
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

/** Executes one step on `pre` with witness items from `w`; returns the post-state header. */
export function executeStep(pre: Header, w: WitnessSource): Header {
  return new Step(pre, w).run();
}

// ---- memory and numeric operators ----

/** size, signed, result is i64, store */
const MEMORY_OPS: Record<number, [number, boolean, boolean, boolean]> = {
  [Op.I32_LOAD]: [4, false, false, false],
  [Op.I64_LOAD]: [8, false, true, false],
  [Op.I32_LOAD8_S]: [1, true, false, false],
  [Op.I32_LOAD8_U]: [1, false, false, false],
  [Op.I32_LOAD16_S]: [2, true, false, false],
  [Op.I32_LOAD16_U]: [2, false, false, false],
  [Op.I64_LOAD8_S]: [1, true, true, false],
  [Op.I64_LOAD8_U]: [1, false, true, false],
  [Op.I64_LOAD16_S]: [2, true, true, false],
  [Op.I64_LOAD16_U]: [2, false, true, false],
  [Op.I64_LOAD32_S]: [4, true, true, false],
  [Op.I64_LOAD32_U]: [4, false, true, false],
  [Op.I32_STORE]: [4, false, false, true],
  [Op.I64_STORE]: [8, false, true, true],
  [Op.I32_STORE8]: [1, false, false, true],
  [Op.I32_STORE16]: [2, false, false, true],
  [Op.I64_STORE8]: [1, false, true, true],
  [Op.I64_STORE16]: [2, false, true, true],
  [Op.I64_STORE32]: [4, false, true, true],
};

type NumFn = (x: bigint[]) => bigint | TrapCode;
const u = (bits: number, v: bigint) => BigInt.asUintN(bits, v);
const s = (bits: number, v: bigint) => BigInt.asIntN(bits, v);
const bool = (c: boolean) => (c ? 1n : 0n);
function clz(bits: number, v: bigint): bigint {
  let n = 0n;
  for (let i = bits - 1; i >= 0 && ((v >> BigInt(i)) & 1n) === 0n; i--) n++;
  return n;
}
function ctz(bits: number, v: bigint): bigint {
  let n = 0n;
  for (let i = 0; i < bits && ((v >> BigInt(i)) & 1n) === 0n; i++) n++;
  return n;
}
function popcnt(v: bigint): bigint {
  let n = 0n;
  for (; v > 0n; v >>= 1n) n += v & 1n;
  return n;
}
function rotl(bits: number, v: bigint, k: bigint): bigint {
  const r = k % BigInt(bits);
  return u(bits, (v << r) | (v >> ((BigInt(bits) - r) % BigInt(bits))));
}
function intOps(bits: number) {
  const B = BigInt(bits);
  const min = -(1n << (B - 1n));
  const ops: Record<string, [number, NumFn]> = {
    eqz: [1, ([x]) => bool(x === 0n)],
    eq: [2, ([x, y]) => bool(x === y)],
    ne: [2, ([x, y]) => bool(x !== y)],
    lt_s: [2, ([x, y]) => bool(s(bits, x!) < s(bits, y!))],
    lt_u: [2, ([x, y]) => bool(x! < y!)],
    gt_s: [2, ([x, y]) => bool(s(bits, x!) > s(bits, y!))],
    gt_u: [2, ([x, y]) => bool(x! > y!)],
    le_s: [2, ([x, y]) => bool(s(bits, x!) <= s(bits, y!))],
    le_u: [2, ([x, y]) => bool(x! <= y!)],
    ge_s: [2, ([x, y]) => bool(s(bits, x!) >= s(bits, y!))],
    ge_u: [2, ([x, y]) => bool(x! >= y!)],
    clz: [1, ([x]) => clz(bits, x!)],
    ctz: [1, ([x]) => ctz(bits, x!)],
    popcnt: [1, ([x]) => popcnt(x!)],
    add: [2, ([x, y]) => u(bits, x! + y!)],
    sub: [2, ([x, y]) => u(bits, x! - y!)],
    mul: [2, ([x, y]) => u(bits, x! * y!)],
    div_s: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : s(bits, x!) === min && s(bits, y!) === -1n ? "int_overflow" : u(bits, s(bits, x!) / s(bits, y!)))],
    div_u: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : x! / y!)],
    rem_s: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : u(bits, s(bits, x!) % s(bits, y!)))],
    rem_u: [2, ([x, y]) => (y === 0n ? "int_divide_by_zero" : x! % y!)],
    and: [2, ([x, y]) => x! & y!],
    or: [2, ([x, y]) => x! | y!],
    xor: [2, ([x, y]) => x! ^ y!],
    shl: [2, ([x, y]) => u(bits, x! << (y! % B))],
    shr_s: [2, ([x, y]) => u(bits, s(bits, x!) >> (y! % B))],
    shr_u: [2, ([x, y]) => x! >> (y! % B)],
    rotl: [2, ([x, y]) => rotl(bits, x!, y!)],
    rotr: [2, ([x, y]) => rotl(bits, x!, B - (y! % B))],
    extend8_s: [1, ([x]) => u(bits, s(8, x!))],
    extend16_s: [1, ([x]) => u(bits, s(16, x!))],
    extend32_s: [1, ([x]) => u(bits, s(32, x!))],
  };
  return ops;
}
const NUMERIC: Map<number, { arity: number; fn: NumFn }> = new Map();
{
  const ops32 = intOps(32);
  const ops64 = intOps(64);
  OPCODE_NAMES.forEach((name, op) => {
    const m = /^(i32|i64)\.(.+)$/.exec(name);
    if (!m || MEMORY_OPS[op] || name.endsWith(".const")) return;
    const table = m[1] === "i32" ? ops32 : ops64;
    const e = table[m[2]!];
    if (e) NUMERIC.set(op, { arity: e[0], fn: e[1] });
  });
  NUMERIC.set(Op.I32_WRAP_I64, { arity: 1, fn: ([x]) => u(32, x!) });
  NUMERIC.set(Op.I64_EXTEND_I32_S, { arity: 1, fn: ([x]) => u(64, s(32, x!)) });
  NUMERIC.set(Op.I64_EXTEND_I32_U, { arity: 1, fn: ([x]) => x! });
}
function numeric(op: number): { arity: number; fn: NumFn } | undefined {
  return NUMERIC.get(op);
}

export { valueWord, eq as bytesEqual };
