/**
 * The state commitment of a Machine (spec/STATE.md): builds the Merkle trees
 * and hash chains once and keeps them up to date incrementally, from the
 * dirty leaves and the lowest frame depth the interpreter records.
 */
import type { CompiledModule } from "../compile/types.ts";
import { hashPair } from "../hash/keccak.ts";
import type { Machine } from "../machine.ts";
import { MerkleTree } from "../merkle/tree.ts";
import {
  H,
  HOST_ENTRY,
  INPUT_TREE_DEPTH,
  STATUS_CODE,
  TAG,
  TRAP_CODE,
  Z,
  ZERO32,
  controlWord,
  depthFor,
  frameHash,
  heapHash,
  memoryDepth,
  restHashOf,
  segmentLeaf,
  stateHashOf,
  staticHash,
  type Header,
} from "./header.ts";

/** The static, per-module part of the commitment: code, functions, segments. */
export interface ModuleCommitment {
  codeTree: MerkleTree;
  codeDepth: number;
  funcsTree: MerkleTree;
  funcsDepth: number;
  funcWords: Uint8Array;
  typeIds: number[];
  /** Per data segment: its bytes tree (depth depthFor(ceil(len/32))) and its leaf. */
  dataTrees: MerkleTree[];
  dataLeaves: Uint8Array[];
  elemTrees: MerkleTree[];
  elemLeaves: Uint8Array[];
}

const moduleCache = new WeakMap<CompiledModule, ModuleCommitment>();

/** Encodes a value slot (two i32 words, low first) as its 32-byte leaf/word. */
export function slotWord(lo: number, hi: number, out: Uint8Array = new Uint8Array(32), off = 0): Uint8Array {
  out.fill(0, off, off + 24);
  out[off + 24] = hi >>> 24;
  out[off + 25] = hi >>> 16;
  out[off + 26] = hi >>> 8;
  out[off + 27] = hi;
  out[off + 28] = lo >>> 24;
  out[off + 29] = lo >>> 16;
  out[off + 30] = lo >>> 8;
  out[off + 31] = lo;
  return out;
}

export function instructionWord(code: Int32Array, pc: number): Uint8Array {
  const w = new Uint8Array(32);
  const dv = new DataView(w.buffer);
  for (let k = 0; k < 4; k++) dv.setUint32(4 * k, code[pc * 4 + k]! >>> 0);
  return w;
}

export function commitModule(cm: CompiledModule): ModuleCommitment {
  const cached = moduleCache.get(cm);
  if (cached) return cached;
  const m = cm.module;
  const codeDepth = depthFor(cm.length);
  const codeBytes = new Uint8Array(cm.length * 32);
  const cdv = new DataView(codeBytes.buffer);
  for (let pc = 0; pc < cm.length; pc++) for (let k = 0; k < 4; k++) cdv.setUint32(pc * 32 + 4 * k, cm.code[pc * 4 + k]! >>> 0);
  const codeTree = new MerkleTree(codeDepth);
  codeTree.build(codeBytes);

  const keys = m.types.map((t) => t.params.join(",") + ">" + t.results.join(","));
  const typeIds = keys.map((k) => keys.indexOf(k));
  const funcsDepth = depthFor(cm.funcs.length);
  const funcWords = new Uint8Array(cm.funcs.length * 32);
  const fdv = new DataView(funcWords.buffer);
  cm.funcs.forEach((f, i) => {
    const ti = i < m.imports.length ? m.imports[i]!.typeIndex : m.funcTypes[i - m.imports.length]!;
    fdv.setUint32(i * 32, f.host ? HOST_ENTRY : f.entry);
    fdv.setUint32(i * 32 + 4, f.nparams);
    fdv.setUint32(i * 32 + 8, f.nlocals);
    fdv.setUint32(i * 32 + 12, f.maxHeight);
    fdv.setUint32(i * 32 + 16, typeIds[ti]!);
    fdv.setUint32(i * 32 + 20, f.type.results.length);
  });
  const funcsTree = new MerkleTree(funcsDepth);
  funcsTree.build(funcWords);

  const dataTrees = m.datas.map((d) => {
    const t = new MerkleTree(depthFor(Math.ceil(d.bytes.length / 32)));
    t.build(d.bytes);
    return t;
  });
  const dataLeaves = m.datas.map((d, i) => segmentLeaf(TAG.data, dataTrees[i]!.root(), d.bytes.length));
  const elemTrees = m.elems.map((e) => {
    const t = new MerkleTree(depthFor(e.funcs.length));
    const words = new Uint8Array(e.funcs.length * 32);
    e.funcs.forEach((f, k) => slotWord(f, 0, words, k * 32));
    t.build(words);
    return t;
  });
  const elemLeaves = m.elems.map((e, i) => segmentLeaf(TAG.elem, elemTrees[i]!.root(), e.funcs.length));
  const mc: ModuleCommitment = { codeTree, codeDepth, funcsTree, funcsDepth, funcWords, typeIds, dataTrees, dataLeaves, elemTrees, elemLeaves };
  moduleCache.set(cm, mc);
  return mc;
}

/** Root of a tree of `n` value slots taken from an Int32Array (2 words a slot) at slot `from`. */
export function slotsRoot(S: Int32Array, from: number, n: number): { tree: MerkleTree; root: Uint8Array } {
  const tree = new MerkleTree(depthFor(n));
  const bytes = new Uint8Array(n * 32);
  for (let k = 0; k < n; k++) slotWord(S[(from + k) * 2]!, S[(from + k) * 2 + 1]!, bytes, k * 32);
  tree.build(bytes);
  return { tree, root: tree.root() };
}

/** Operand chain of slots [from, to): returns the chain hashes after each push (index k = after k pushes). */
export function operandChain(S: Int32Array, from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [ZERO32];
  const buf = new Uint8Array(64);
  for (let s = from; s < to; s++) {
    buf.set(out[out.length - 1]!, 0);
    slotWord(S[s * 2]!, S[s * 2 + 1]!, buf, 32);
    const h = new Uint8Array(32);
    hashPair(buf, 0, buf, 32, h, 0);
    out.push(h);
  }
  return out;
}

/**
 * Keeps the commitment of one Machine. Call `header()` / `stateHash()` between
 * steps; it reads and clears the machine's dirty marks.
 */
export class StateCommitment {
  readonly mc: ModuleCommitment;
  readonly memDepth: number;
  private readonly mem: MerkleTree;
  private readonly inputTree: MerkleTree;
  private staticPart: Header | undefined;
  private staticH: Uint8Array | undefined;
  /** framesPrefix[k]: hash of the frame chain holding frames 0..k-1 suspended. */
  private framesPrefix: Uint8Array[] = [ZERO32];
  private tableRoot = Z[0]!;
  private memBuilt = false;
  /** Output folding cache: acc over the first `accLeaves` full leaves. */
  private acc: Uint8Array = ZERO32;
  private accLeaves = 0;
  private lastOutputRef: Uint8Array | undefined;

  constructor(readonly machine: Machine) {
    this.mc = commitModule(machine.cm);
    this.memDepth = memoryDepth(machine.maxPages);
    this.mem = new MerkleTree(this.memDepth);
    this.inputTree = new MerkleTree(INPUT_TREE_DEPTH);
    this.inputTree.build(machine.input);
  }

  /** The memory tree, up to date (for proofs). */
  memoryTree(): MerkleTree {
    this.syncMemory();
    return this.mem;
  }

  inputMerkle(): MerkleTree {
    return this.inputTree;
  }

  private syncMemory(): void {
    const m = this.machine;
    if (!this.memBuilt) {
      this.mem.build(m.memory);
      m.dirty.fill(0);
      this.memBuilt = true;
      return;
    }
    const d = m.dirty;
    // Scan 8 leaves at a time: most strides dirty few leaves.
    const words = new Float64Array(d.buffer, d.byteOffset, d.length >>> 3);
    let list = new Int32Array(64);
    let n = 0;
    const push = (i: number) => {
      if (n === list.length) {
        const l = new Int32Array(n * 2);
        l.set(list);
        list = l;
      }
      list[n++] = i;
    };
    for (let w = 0; w < words.length; w++) {
      if (words[w] !== 0) {
        for (let i = w * 8; i < w * 8 + 8; i++) if (d[i]) push(i);
      }
    }
    for (let i = words.length * 8; i < d.length; i++) if (d[i]) push(i);
    if (n > 0) {
      this.mem.updateLeaves(m.memory, list, n);
      d.fill(0);
    }
  }

  private staticHeader(): Header {
    if (this.staticPart) return this.staticPart;
    const m = this.machine;
    const cm = m.cm;
    this.staticPart = {
      codeRoot: this.mc.codeTree.root(),
      codeLength: cm.length,
      funcsRoot: this.mc.funcsTree.root(),
      nFuncs: cm.funcs.length,
      nGlobals: cm.module.globals.length,
      tableSize: m.table.length,
      nData: cm.module.datas.length,
      nElem: cm.module.elems.length,
      inputRoot: this.inputTree.root(),
      inputLength: m.input.length,
      maxSteps: m.limits.maxSteps,
      maxMemoryPages: m.maxPages,
      maxCallDepth: m.limits.maxCallDepth,
      maxValueStack: m.limits.maxValueStack,
      maxOutputBytes: m.limits.maxOutputBytes,
    } as Header;
    this.staticH = staticHash(this.staticPart);
    return this.staticPart;
  }

  /** Locals of the frame at `fp` with `nlocals` slots. */
  localsRoot(fp: number, nlocals: number): Uint8Array {
    return slotsRoot(this.machine.stack32, fp, nlocals).root;
  }

  /** nlocals of frame k (0 = bottom frame). */
  frameNlocals(k: number): number {
    if (k === 0) return 0;
    return this.machine.cm.funcs[this.machine.frames[(k - 1) * 3 + 2]!]!.nlocals;
  }

  /** fp of frame k. */
  frameFp(k: number): number {
    const m = this.machine;
    if (k === m.depth) return m.fp;
    // Frame k's fp is saved as the caller fp in the record of frame k+1.
    return m.frames[k * 3 + 1]!;
  }

  /** Operand chain of frame k (k < depth: suspended, its region ends where frame k+1's fp starts). */
  frameOperandsEnd(k: number): number {
    const m = this.machine;
    if (k === m.depth) return m.sp;
    return k + 1 === m.depth ? m.fp : m.frames[(k + 1) * 3 + 1]!;
  }

  /** The record of suspended frame k (pushed when frame k+1 was called); frames must be synced. */
  frameRecord(k: number): { prev: Uint8Array; returnPc: number; callerFp: number; callerNlocals: number; callerLocalsRoot: Uint8Array; callerOperands: Uint8Array } {
    const m = this.machine;
    const fp = this.frameFp(k);
    const nl = this.frameNlocals(k);
    const ops = operandChain(m.stack32, fp + nl, this.frameOperandsEnd(k));
    return {
      prev: this.framesPrefix[k]!,
      returnPc: m.frames[k * 3]!,
      callerFp: fp,
      callerNlocals: nl,
      callerLocalsRoot: this.localsRoot(fp, nl),
      callerOperands: ops[ops.length - 1]!,
    };
  }

  private syncFrames(): void {
    const m = this.machine;
    const from = Math.min(m.minDepth, this.framesPrefix.length - 1);
    this.framesPrefix.length = from + 1;
    for (let k = from; k < m.depth; k++) {
      const fp = this.frameFp(k);
      const nl = this.frameNlocals(k);
      const ops = operandChain(m.stack32, fp + nl, this.frameOperandsEnd(k));
      const rec = frameHash(this.framesPrefix[k]!, m.frames[k * 3]!, fp, nl, this.localsRoot(fp, nl), ops[ops.length - 1]!);
      this.framesPrefix.push(rec);
    }
    m.minDepth = m.depth;
  }

  private syncTable(): Uint8Array {
    const m = this.machine;
    if (m.tableDirty) {
      const bytes = new Uint8Array(m.table.length * 32);
      m.table.forEach((f, i) => slotWord(f, 0, bytes, i * 32));
      const t = new MerkleTree(depthFor(m.table.length));
      t.build(bytes);
      this.tableRoot = t.root();
      m.tableDirty = false;
    }
    return this.tableRoot;
  }

  tableTree(): MerkleTree {
    const m = this.machine;
    const bytes = new Uint8Array(m.table.length * 32);
    m.table.forEach((f, i) => slotWord(f, 0, bytes, i * 32));
    const t = new MerkleTree(depthFor(m.table.length));
    t.build(bytes);
    return t;
  }

  globalsTree(): MerkleTree {
    const m = this.machine;
    const n = m.cm.module.globals.length;
    const bytes = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) slotWord(m.globals32[i * 2]!, m.globals32[i * 2 + 1]!, bytes, i * 32);
    const t = new MerkleTree(depthFor(n));
    t.build(bytes);
    return t;
  }

  segmentTree(kind: "data" | "elem"): MerkleTree {
    const m = this.machine;
    const leaves = kind === "data" ? this.mc.dataLeaves : this.mc.elemLeaves;
    const dropped = kind === "data" ? m.dataDropped : m.elemDropped;
    const bytes = new Uint8Array(leaves.length * 32);
    leaves.forEach((l, i) => {
      if (!dropped[i]) bytes.set(l, i * 32);
    });
    const t = new MerkleTree(depthFor(leaves.length));
    t.build(bytes);
    return t;
  }

  private syncOutput(): { acc: Uint8Array; partial: Uint8Array } {
    const m = this.machine;
    const len = m.outputLength;
    const full = Math.floor(len / 32);
    if (full < this.accLeaves || this.lastOutputRef !== m.output) {
      // A new invocation (output reset) or a reallocated buffer: refold from the start.
      this.acc = ZERO32;
      this.accLeaves = 0;
      this.lastOutputRef = m.output;
    }
    while (this.accLeaves < full) {
      this.acc = H(this.acc, m.output.subarray(this.accLeaves * 32, this.accLeaves * 32 + 32));
      this.accLeaves++;
    }
    const partial = new Uint8Array(32);
    partial.set(m.output.subarray(full * 32, len));
    return { acc: this.acc, partial };
  }

  /** The full header of the machine's current state. */
  header(): Header {
    const m = this.machine;
    const st = this.staticHeader();
    this.syncMemory();
    this.syncFrames();
    const nl = this.frameNlocals(m.depth);
    const ops = operandChain(m.stack32, m.fp + nl, m.sp);
    const out = this.syncOutput();
    const h: Header = {
      ...st,
      status: STATUS_CODE[m.status],
      trap: TRAP_CODE[m.trap ?? "none"],
      nlocals: nl,
      pc: m.pc,
      steps: m.steps,
      sp: m.sp,
      fp: m.fp,
      depth: m.depth,
      operands: ops[ops.length - 1]!,
      localsRoot: this.localsRoot(m.fp, nl),
      framesHash: this.framesPrefix[m.depth]!,
      globalsRoot: this.globalsTree().root(),
      memoryRoot: this.mem.root(),
      memoryPages: m.memory.length / 65536,
      tableRoot: this.syncTable(),
      dataRoot: this.segmentTree("data").root(),
      elemRoot: this.segmentTree("elem").root(),
      outputAcc: out.acc,
      outputPartial: out.partial,
      outputLength: m.outputLength,
    };
    return h;
  }

  /** The state hash of the machine's current state. */
  stateHash(): Uint8Array {
    const h = this.header();
    return stateHashOf(controlWord(h), h.operands, h.localsRoot, restHashOf(h.framesHash, h.globalsRoot, heapHash(h), this.staticH!));
  }
}

