/**
 * The state commitment of a Machine (spec/STATE.md): builds the Merkle trees
 * and hash chains once and keeps them up to date incrementally, from the
 * dirty leaves and the lowest frame depth the interpreter records.
 */
import stateSpec from "../../spec/state.json" with { type: "json" };
import type { CompiledModule } from "../compile/types.ts";
import { arena, hashPair, keccak256Into } from "../hash/keccak.ts";
import { AUX_CHAIN, AUX_NONE, AUX_PENDING, type Machine } from "../machine.ts";
import { MerkleTree } from "../merkle/tree.ts";
import { PagedMemoryTree } from "../merkle/paged.ts";
import { InputTree } from "../merkle/input.ts";
import {
  H,
  HOST_ENTRY,
  PAGE_BYTES,
  inputDepth,
  STATUS_CODE,
  TAG,
  TRAP_CODE,
  Z,
  ZERO32,
  depthFor,
  frameHash,
  memoryDepth,
  putWord,
  segmentLeaf,
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

  const funcsDepth = depthFor(cm.funcs.length);
  const funcWords = new Uint8Array(cm.funcs.length * 32);
  const fdv = new DataView(funcWords.buffer);
  cm.funcs.forEach((f, i) => {
    fdv.setUint32(i * 32, f.host ? HOST_ENTRY : f.entry);
    fdv.setUint32(i * 32 + 4, f.nparams);
    fdv.setUint32(i * 32 + 8, f.nlocals);
    fdv.setUint32(i * 32 + 12, f.maxHeight);
    fdv.setUint32(i * 32 + 16, f.typeId);
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
  const mc: ModuleCommitment = { codeTree, codeDepth, funcsTree, funcsDepth, funcWords, dataTrees, dataLeaves, elemTrees, elemLeaves };
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

// Arena layout (src/hash/keccak.ts `arena`): the per-step hash inputs live in the
// keccak module's memory and are hashed in place.
const A_FINAL = 0; // 135-byte state-hash preimage, its padding byte (0x81) at 135
const A_OUT = 160; // its digest
const A_SCRATCH = 192; // two words on their way into the preimage
const A_CHAIN = 256; // operand chain, 64 bytes an entry
const A_CHAIN_CAP = 6144;
const A_LOCALS = 512 * 1024; // locals tree levels
const A_LOCALS_SIZE = 512 * 1024;
/** The state hash's digest in the arena. */
const ARENA_DIGEST = arena.bytes.subarray(A_OUT, A_OUT + 32);

/** Bytes and a 64-byte in-place hash: the arena, or a private buffer when the arena is too small. */
interface HashBuf {
  bytes: Uint8Array;
  base: number;
  /** keccak(bytes[base+i, base+i+64)) -> bytes[base+o, base+o+32). */
  h64(i: number, o: number): void;
}

function arenaBuf(base: number): HashBuf {
  return { bytes: arena.bytes, base, h64: (i, o) => arena.hash64(base + i, base + o) };
}

function privateBuf(size: number): HashBuf {
  const bytes = new Uint8Array(size);
  return { bytes, base: 0, h64: (i, o) => hashPair(bytes, i, bytes, i + 32, bytes, o) };
}

/** src[from, from+32) -> dst[off, off+32) (native copies: a byte loop measured slower). */
function copy32(src: Uint8Array, from: number, dst: Uint8Array, off: number): void {
  if (src === dst) dst.copyWithin(off, from, from + 32);
  else dst.set(src.subarray(from, from + 32), off);
}

/** A small Merkle tree over value slots, kept in flat levels and updated leaf by leaf. */
export class SlotTree {
  readonly depth: number;
  /** Offset of level k in `buf` (2^(depth-k) nodes of 32 bytes). */
  private readonly off: number[] = [];
  /** The slots as last hashed (2 words each). */
  readonly copy: Int32Array;
  private readonly buf: HashBuf;

  constructor(S: Int32Array, from: number, readonly n: number, inArena: boolean) {
    this.depth = depthFor(n);
    let total = 0;
    for (let k = 0; k <= this.depth; k++) {
      this.off.push(total);
      total += 32 * 2 ** (this.depth - k);
    }
    this.buf = inArena && total <= A_LOCALS_SIZE ? arenaBuf(A_LOCALS) : privateBuf(total);
    const { bytes, base } = this.buf;
    bytes.fill(0, base, base + total);
    this.copy = S.slice(from * 2, (from + n) * 2);
    for (let i = 0; i < n; i++) slotWord(this.copy[i * 2]!, this.copy[i * 2 + 1]!, bytes, base + i * 32);
    for (let k = 0; k < this.depth; k++) {
      const nodes = 2 ** (this.depth - k - 1);
      for (let p = 0; p < nodes; p++) this.buf.h64(this.off[k]! + 64 * p, this.off[k + 1]! + 32 * p);
    }
  }

  get inArena(): boolean {
    return this.buf.bytes === arena.bytes;
  }

  root(): Uint8Array {
    const o = this.buf.base + this.off[this.depth]!;
    return this.buf.bytes.subarray(o, o + 32);
  }

  /** Node `index` at `level` (0 = leaves), a copy. */
  node(level: number, index: number): Uint8Array {
    const o = this.buf.base + this.off[level]! + 32 * index;
    return this.buf.bytes.slice(o, o + 32);
  }

  /** Copies the root to dst[off, off+32). */
  copyRoot(dst: Uint8Array, off: number): void {
    copy32(this.buf.bytes, this.buf.base + this.off[this.depth]!, dst, off);
  }

  /** The root's offset in the arena, or -1 when the tree is in a private buffer. */
  rootInArena(): number {
    return this.buf.bytes === arena.bytes ? this.buf.base + this.off[this.depth]! : -1;
  }

  /** Brings the tree up to date with slots [from, from+n); returns true if anything changed. */
  sync(S: Int32Array, from: number): boolean {
    const c = this.copy;
    let changed = false;
    const { bytes, base } = this.buf;
    for (let i = 0; i < this.n; i++) {
      const lo = S[(from + i) * 2]!;
      const hi = S[(from + i) * 2 + 1]!;
      if (lo === c[i * 2] && hi === c[i * 2 + 1]) continue;
      c[i * 2] = lo;
      c[i * 2 + 1] = hi;
      changed = true;
      slotWord(lo, hi, bytes, base + i * 32);
      if (bytes === arena.bytes) {
        // The levels are laid out as treePath expects (off[k] = sum of the levels below).
        arena.treePath(base, i, this.depth);
        continue;
      }
      let j = i;
      for (let k = 0; k < this.depth; k++) {
        const p = j >> 1;
        this.buf.h64(this.off[k]! + 64 * p, this.off[k + 1]! + 32 * p);
        j = p;
      }
    }
    return changed;
  }

}

/**
 * The number of leading slots of S[from, from+n) equal to c[0, n) (2 words a slot). Tall
 * stacks (a block of thousands of operands) are compared with memcmp by halves, so that
 * a step costs O(log n) comparisons of whole ranges instead of a slot-by-slot loop.
 */
function equalPrefix(S: Int32Array, from: number, c: Int32Array, n: number): number {
  let lo = 0;
  let hi = n;
  if (n > 256) {
    const same = (a: number, b: number) =>
      Buffer.compare(new Uint8Array(S.buffer, S.byteOffset + (from + a) * 8, (b - a) * 8), new Uint8Array(c.buffer, c.byteOffset + a * 8, (b - a) * 8)) === 0;
    if (same(0, n)) return n;
    // Invariant: slots [0, lo) are equal and one in [lo, hi) differs.
    while (hi - lo > 64) {
      const mid = (lo + hi) >>> 1;
      if (same(lo, mid)) lo = mid;
      else hi = mid;
    }
  }
  while (lo < hi && S[(from + lo) * 2] === c[lo * 2] && S[(from + lo) * 2 + 1] === c[lo * 2 + 1]) lo++;
  return lo;
}

/**
 * The operand hash chain of one frame: entry k at 64k holds the hash after k
 * pushes followed by the (k+1)-th value, so each push hashes 64 bytes in place.
 * Entries above the current height stay valid after pops (`valid`): a value
 * pushed again onto the same operands below it (a loop reading the same local
 * twice in a row: `local.get j; local.get n` ... `local.get j; i32.const 0`)
 * reuses its hash instead of rehashing.
 */
class OperandChain {
  private buf: HashBuf;
  private cap: number;
  copy = new Int32Array(128);
  height = 0;
  /** copy[0, valid) and the hashes after 0..valid pushes describe the slots last synced (valid >= height). */
  private valid = 0;

  /** `inArena`: the current frame's chain lives in the arena; another chain (aux) in a private buffer. */
  constructor(private readonly inArena = true) {
    this.buf = inArena ? arenaBuf(A_CHAIN) : privateBuf(64 * 64);
    this.cap = inArena ? A_CHAIN_CAP : 64;
  }

  reset(): void {
    this.height = 0;
    this.valid = 0;
    this.buf = this.inArena ? arenaBuf(A_CHAIN) : privateBuf(64 * 64);
    this.cap = this.inArena ? A_CHAIN_CAP : 64;
    this.buf.bytes.fill(0, this.buf.base, this.buf.base + 32);
  }

  /** Brings the chain up to date with slots [from, to); returns true if its top hash changed. */
  sync(S: Int32Array, from: number, to: number): boolean {
    const h = to - from;
    let same = 0;
    const lim = Math.min(h, this.valid);
    const c = this.copy;
    same = equalPrefix(S, from, c, lim);
    if (h + 1 > this.cap) {
      // Too tall for the arena: continue in a private buffer.
      const nb = privateBuf(64 * Math.max(h + 1, this.cap * 2));
      nb.bytes.set(this.buf.bytes.subarray(this.buf.base, this.buf.base + 64 * (same + 1)), 0);
      this.buf = nb;
      this.cap = nb.bytes.length / 64;
    }
    if (2 * h > this.copy.length) {
      const cc = new Int32Array(Math.max(2 * h, this.copy.length * 2));
      cc.set(this.copy);
      this.copy = cc;
    }
    const { bytes, base } = this.buf;
    for (let k = same; k < h; k++) {
      const lo = S[(from + k) * 2]!;
      const hi = S[(from + k) * 2 + 1]!;
      this.copy[k * 2] = lo;
      this.copy[k * 2 + 1] = hi;
      slotWord(lo, hi, bytes, base + 64 * k + 32);
      this.buf.h64(64 * k, 64 * (k + 1));
    }
    // Entries past h were hashed from operands that just changed: no longer valid.
    if (same < h || h > this.valid) this.valid = h;
    const changed = same < h || h !== this.height;
    this.height = h;
    return changed;
  }

  /** The chain hash after all pushes. */
  top(): Uint8Array {
    return this.at(this.height);
  }

  at(k: number): Uint8Array {
    const o = this.buf.base + 64 * k;
    return this.buf.bytes.slice(o, o + 32);
  }

  /** Copies the chain hash after all pushes to dst[off, off+32). */
  copyTop(dst: Uint8Array, off: number): void {
    copy32(this.buf.bytes, this.buf.base + 64 * this.height, dst, off);
  }

  /** The offset in the arena of the chain hash after all pushes, or -1 when the chain is in a private buffer. */
  topInArena(): number {
    return this.buf.bytes === arena.bytes ? this.buf.base + 64 * this.height : -1;
  }
}

/**
 * A keccak preimage of a tag followed by 32-byte words, kept between hashes:
 * a part that changed rewrites its own word, with no concatenation per hash
 * (the heap and rest hashes of spec/STATE.md section 3, rehashed at every
 * step that writes memory).
 */
class WordsPreimage {
  private readonly bytes: Uint8Array;
  private readonly base: number;

  constructor(tag: Uint8Array, words: number) {
    this.base = tag.length;
    this.bytes = new Uint8Array(tag.length + 32 * words);
    this.bytes.set(tag);
  }

  /** Word i = the 32 bytes of `w`. */
  set(i: number, w: Uint8Array): void {
    this.bytes.set(w, this.base + 32 * i);
  }

  /** Word i = a number, big-endian (header.ts `word`). */
  setNumber(i: number, n: number): void {
    const o = this.base + 32 * i;
    this.bytes.fill(0, o, o + 32);
    putWord(this.bytes, o, n); // throws on a negative number, as word() does
  }

  hash(): Uint8Array {
    const out = new Uint8Array(32);
    keccak256Into(this.bytes, out, 0);
    return out;
  }
}

const STATUS_RUNNING = STATUS_CODE.running;
const TRAP_NONE = TRAP_CODE.none;

function same32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Top operand and the chain of the operands below it, for the region [from, to). */
export function topAndBelow(S: Int32Array, from: number, to: number): { top: bigint; below: Uint8Array } {
  if (to <= from) return { top: 0n, below: ZERO32 };
  const chain = operandChain(S, from, to - 1);
  return { top: slotValue(S, to - 1), below: chain[chain.length - 1]! };
}

/** A slot's 64-bit value. */
export function slotValue(S: Int32Array, slot: number): bigint {
  return (BigInt(S[slot * 2 + 1]! >>> 0) << 32n) | BigInt(S[slot * 2]! >>> 0);
}

/** Marks the pages of leaves[0, n) in a page bitmap (Machine.memoryPagesHint). */
function markPages(hint: Uint8Array, leaves: Int32Array, n: number): void {
  const shift = stateSpec.widths.pageLeavesLog2;
  for (let k = 0; k < n; k++) hint[leaves[k]! >>> shift] = 1;
}

/**
 * Keeps the commitment of one Machine. Call `header()` / `stateHash()` between
 * steps; it reads and clears the machine's dirty marks. Every part is cached
 * and recomputed only when the machine changed it, so hashing after every
 * step costs about two keccak blocks for most instructions.
 */
export class StateCommitment {
  readonly mc: ModuleCommitment;
  readonly memDepth: number;
  private readonly mem: PagedMemoryTree;
  private readonly inputTree: InputTree;
  private staticPart: Header | undefined;
  private staticH: Uint8Array | undefined;
  /** framesPrefix[k]: hash of the frame chain holding frames 0..k-1 suspended. */
  private framesPrefix: Uint8Array[] = [ZERO32];
  private lastFrames: Uint8Array | undefined;
  private tableRoot: Uint8Array = Z[0]!;
  /** The table tree and its leaf bytes, kept up to date by syncTable. */
  private table: { tree: MerkleTree; bytes: Uint8Array } | undefined;
  /** Output folding cache: acc over the first `accLeaves` full leaves. */
  private acc: Uint8Array = ZERO32;
  private accLeaves = 0;
  private lastOutputRef: Uint8Array | undefined;
  /** The machine's output epoch the output cache folds (bumped when the output restarts). */
  private lastOutputEpoch = -1;
  // Caches of the current frame.
  private locals: SlotTree | undefined;
  private frameDepth = -1;
  private frameFpCache = -1;
  private readonly ops = new OperandChain();
  // The micro-step register (spec/STATE.md section 2, "Micro-steps").
  private readonly auxChain = new OperandChain(false);
  private pending: SlotTree | undefined;
  private pendingFunc = -1;
  private lastMicro: { mp: number; auxLen: number; aux: Uint8Array } | undefined;
  // Globals and segments.
  private globals: SlotTree | undefined;
  private dataRoot: Uint8Array | undefined;
  private elemRoot: Uint8Array | undefined;
  // Composite hashes, recomputed when a part changes.
  private heap: Uint8Array | undefined;
  private heapMemLen = -1;
  private heapOutLen = -1;
  private rest: Uint8Array | undefined;
  private memRoot: Uint8Array = ZERO32;
  private readonly arenaView = new DataView(arena.bytes.buffer, arena.bytes.byteOffset, arena.bytes.length);
  // Which parts of the state-hash preimage in the arena are out of date.
  private finalStale = true;
  private restWritten: Uint8Array | undefined;
  // The heap and rest hash preimages (header.ts heapHash, restHashOf), kept between hashes.
  private readonly heapPre = new WordsPreimage(TAG.heap, stateSpec.widths.heapWords);
  private readonly restPre = new WordsPreimage(TAG.rest, 7);
  /** setMemoryPages changed the memory root since the last sync. */
  private memPagesSet = false;
  /**
   * How the caches were brought up to date: `step`, by the per-step path (only the current
   * frame, memory leaves and globals changed); `full`, by the whole sync (a call or return,
   * a table, segment, memory size, output or micro-step change, another commitment or
   * restore in between). For tests and benchmarks.
   */
  readonly syncCounts = { step: 0, full: 0 };

  constructor(readonly machine: Machine) {
    this.mc = commitModule(machine.cm);
    this.memDepth = memoryDepth(machine.maxPages);
    this.mem = new PagedMemoryTree(this.memDepth, stateSpec.widths.pageLeavesLog2);
    this.inputTree = new InputTree(machine.input);
  }

  /** The memory tree, up to date (for proofs). */
  memoryTree(): PagedMemoryTree {
    this.claimMachine();
    this.syncMemory();
    return this.mem;
  }

  inputMerkle(): MerkleTree {
    return this.inputTree.merkle();
  }

  /**
   * Sets the subtrees of memory pages `ps` to copies of `trees` (undefined: all
   * zero), for a caller that just made the machine's memory pages equal to what
   * the trees describe (Replayer.restore, from subtrees it kept per snapshot
   * page) without marking their leaves. The memory tree must be in sync with
   * the machine apart from those pages (memoryTree() first).
   */
  setMemoryPages(ps: readonly number[], trees: readonly (MerkleTree | undefined)[]): void {
    if (ps.length === 0) return;
    this.mem.setPages(ps, trees);
    this.memRoot = this.mem.root();
    this.memPagesSet = true;
  }

  /** Returns true if the memory root changed. */
  private syncMemory(): boolean {
    const m = this.machine;
    if (this.memPagesSet && !m.changes.allDirty) {
      // Pages installed by setMemoryPages: the root moved without dirty marks.
      this.memPagesSet = false;
      const n = m.changes.dirtyCount;
      if (n > 0) this.syncMemoryLeaves(n);
      return true;
    }
    this.memPagesSet = false;
    if (m.changes.allDirty) {
      // Only the pages that may be non-zero are read: the hint's and the written ones.
      const hint = m.memoryPagesHint;
      let pages: number[] | undefined;
      if (hint) {
        markPages(hint, m.changes.dirtyList, m.changes.dirtyCount);
        pages = [];
        for (let p = 0; p < hint.length; p++) if (hint[p] === 1) pages.push(p);
      }
      this.mem.build(m.memory, pages);
      m.changes.dirty.fill(0);
      m.changes.dirtyCount = 0;
      m.changes.allDirty = false;
      this.memRoot = this.mem.root();
      return true;
    }
    const n = m.changes.dirtyCount;
    if (n === 0) return false;
    return this.syncMemoryLeaves(n);
  }

  /** Rehashes the n leaves of the machine's dirty list; true if the root changed. */
  private syncMemoryLeaves(n: number): boolean {
    const m = this.machine;
    if (m.memoryPagesHint) markPages(m.memoryPagesHint, m.changes.dirtyList, n);
    const changed = this.mem.updateLeaves(m.memory, m.changes.dirtyList, n);
    const d = m.changes.dirty;
    const l = m.changes.dirtyList;
    for (let k = 0; k < n; k++) d[l[k]!] = 0;
    m.changes.dirtyCount = 0;
    // Stores that wrote back the bytes a leaf had leave the root (and the heap hash) as they were.
    if (!changed) return false;
    this.memRoot = this.mem.root();
    return true;
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
      maxTableEntries: m.limits.maxTableEntries,
    } as Header;
    this.staticH = staticHash(this.staticPart);
    return this.staticPart;
  }

  /** Locals root of the frame at `fp` with `nlocals` slots (uncached). */
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

  /** End of frame k's operand region (k < depth: suspended, it ends where frame k+1's fp starts). */
  frameOperandsEnd(k: number): number {
    const m = this.machine;
    if (k === m.depth) return m.sp;
    return k + 1 === m.depth ? m.fp : m.frames[(k + 1) * 3 + 1]!;
  }

  /** The record of suspended frame k (pushed when frame k+1 was called); frames must be synced. */
  frameRecord(k: number): { prev: Uint8Array; returnPc: number; callerFp: number; callerNlocals: number; callerLocalsRoot: Uint8Array; callerTop: bigint; callerOperands: Uint8Array } {
    const m = this.machine;
    const fp = this.frameFp(k);
    const nl = this.frameNlocals(k);
    const ops = topAndBelow(m.stack32, fp + nl, this.frameOperandsEnd(k));
    return {
      prev: this.framesPrefix[k]!,
      returnPc: m.frames[k * 3]!,
      callerFp: fp,
      callerNlocals: nl,
      callerLocalsRoot: this.localsRoot(fp, nl),
      callerTop: ops.top,
      callerOperands: ops.below,
    };
  }

  /** Returns true if the frames hash changed. */
  private syncFrames(): boolean {
    const m = this.machine;
    const from = Math.min(m.changes.minDepth, this.framesPrefix.length - 1);
    const before = this.lastFrames;
    if (from === m.depth && this.framesPrefix.length === m.depth + 1) {
      m.changes.minDepth = m.depth;
      return false;
    }
    this.framesPrefix.length = from + 1;
    for (let k = from; k < m.depth; k++) {
      const fp = this.frameFp(k);
      const nl = this.frameNlocals(k);
      const ops = topAndBelow(m.stack32, fp + nl, this.frameOperandsEnd(k));
      const rec = frameHash(this.framesPrefix[k]!, m.frames[k * 3]!, fp, nl, this.localsRoot(fp, nl), ops.top, ops.below);
      this.framesPrefix.push(rec);
    }
    m.changes.minDepth = m.depth;
    this.lastFrames = this.framesPrefix[m.depth]!;
    return before === undefined || !same32(before, this.lastFrames);
  }

  /**
   * Brings the table tree up to date: rebuilt when the whole table may have
   * changed (a new commitment, a restore), else only the entries the machine
   * wrote (table.copy/init write one a step), so a step costs one path, not
   * a rebuild of up to 2^20 entries.
   */
  private syncTable(): boolean {
    const m = this.machine;
    if (!m.changes.tableDirty) return false;
    const writes = m.changes.tableWrites;
    if (writes === undefined || this.table === undefined) {
      const bytes = new Uint8Array(m.table.length * 32);
      m.table.forEach((f, i) => slotWord(f, 0, bytes, i * 32));
      const t = new MerkleTree(depthFor(m.table.length));
      t.build(bytes);
      this.table = { tree: t, bytes };
    } else if (writes.length > 0) {
      const idx = Int32Array.from(writes);
      for (const i of idx) slotWord(m.table[i]!, 0, this.table.bytes, i * 32);
      this.table.tree.updateLeaves(this.table.bytes, idx, idx.length);
    }
    m.changes.tableWrites = [];
    this.tableRoot = this.table.tree.root();
    m.changes.tableDirty = false;
    return true;
  }

  tableTree(): MerkleTree {
    this.claimMachine();
    this.syncTable();
    return this.table!.tree;
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

  private syncGlobals(): boolean {
    const m = this.machine;
    m.changes.globalsDirty = false;
    if (!this.globals) {
      this.globals = new SlotTree(m.globals32, 0, m.cm.module.globals.length, false);
      return true;
    }
    return this.globals.sync(m.globals32, 0);
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

  private syncSegments(): boolean {
    const m = this.machine;
    if (!m.changes.segmentsDirty && this.dataRoot) return false;
    m.changes.segmentsDirty = false;
    this.dataRoot = this.segmentTree("data").root();
    this.elemRoot = this.segmentTree("elem").root();
    return true;
  }

  private syncOutput(): { acc: Uint8Array; partial: Uint8Array } {
    const m = this.machine;
    const len = m.outputLength;
    const full = Math.floor(len / 32);
    if (full < this.accLeaves || this.lastOutputRef !== m.output || this.lastOutputEpoch !== m.changes.outputEpoch) {
      // A new invocation (output reset) or a reallocated buffer: refold from the start.
      this.acc = ZERO32;
      this.accLeaves = 0;
      this.lastOutputRef = m.output;
      this.lastOutputEpoch = m.changes.outputEpoch;
    }
    while (this.accLeaves < full) {
      this.acc = H(this.acc, m.output.subarray(this.accLeaves * 32, this.accLeaves * 32 + 32));
      this.accLeaves++;
    }
    const partial = new Uint8Array(32);
    partial.set(m.output.subarray(full * 32, len));
    return { acc: this.acc, partial };
  }

  /** Brings the current frame's locals tree and operand chain up to date. */
  private syncFrame(): void {
    const m = this.machine;
    const nl = this.frameNlocals(m.depth);
    // The arena holds one commitment's data at a time: re-lay ours if another used it.
    const owned = arena.claim(this);
    if (!owned) this.finalStale = true;
    if (!owned || !this.locals || m.depth !== this.frameDepth || m.fp !== this.frameFpCache || nl !== this.locals.n) {
      this.locals = new SlotTree(m.stack32, m.fp, nl, true);
      this.frameDepth = m.depth;
      this.frameFpCache = m.fp;
      // A different frame (or a lost arena): its operand chain starts over.
      this.ops.reset();
    } else this.locals.sync(m.stack32, m.fp);
    // The chain holds the operands below the top one (spec/STATE.md section 3).
    const base = m.fp + nl;
    this.ops.sync(m.stack32, base, m.sp > base ? m.sp - 1 : base);
  }

  private topValue(): bigint {
    const m = this.machine;
    return m.sp > m.fp + this.locals!.n ? slotValue(m.stack32, m.sp - 1) : 0n;
  }

  /**
   * The machine's change marks serve one commitment at a time: when another
   * commitment consumed them since, everything is recomputed.
   */
  private claimMachine(): void {
    const m = this.machine;
    if (m.changes.commitOwner === this) return;
    m.changes.commitOwner = this;
    m.changes.allDirty = true;
    m.changes.tableDirty = true;
    m.changes.tableWrites = undefined;
    m.changes.segmentsDirty = true;
    m.changes.minDepth = 0;
    this.framesPrefix = [ZERO32];
    this.lastFrames = undefined;
    this.locals = undefined;
    this.globals = undefined;
    this.heap = undefined;
    this.rest = undefined;
    this.lastMicro = undefined;
    this.pending = undefined;
  }

  /**
   * The per-step part of sync(): when the machine's marks say that nothing changed since the
   * last sync but the current frame's locals and operands, memory leaves and globals (no call
   * or return, no table, segment, memory size, output or micro-step change, and the arena
   * still holds this commitment's data), brings those parts up to date and returns true;
   * else returns false and changes nothing (sync() then does the whole work).
   */
  private syncStep(): boolean {
    const m = this.machine;
    const ch = m.changes;
    const lm = this.lastMicro;
    const locals = this.locals;
    if (
      ch.commitOwner !== this ||
      arena.owner !== this ||
      locals === undefined ||
      lm === undefined ||
      ch.allDirty ||
      ch.tableDirty ||
      ch.segmentsDirty ||
      this.memPagesSet ||
      ch.minDepth !== m.depth ||
      m.depth !== this.frameDepth ||
      m.fp !== this.frameFpCache ||
      m.auxKind !== AUX_NONE ||
      m.mp !== lm.mp ||
      m.auxLen !== lm.auxLen ||
      lm.aux !== ZERO32 ||
      m.memory.length !== this.heapMemLen ||
      m.outputLength !== this.heapOutLen ||
      m.output !== this.lastOutputRef ||
      ch.outputEpoch !== this.lastOutputEpoch
    ) {
      return false;
    }
    let restChanged = false;
    if (ch.globalsDirty) {
      ch.globalsDirty = false;
      if (this.globals!.sync(m.globals32, 0)) {
        this.restPre.set(1, this.globals!.root());
        restChanged = true;
      }
    }
    // Stores that wrote back the bytes a leaf had change no root: no heap or rest hash.
    if (ch.dirtyCount !== 0 && this.syncMemoryLeaves(ch.dirtyCount)) {
      // Only the memory root of the heap words moved (the rest are what the last sync wrote).
      this.heapPre.set(0, this.memRoot);
      this.heap = this.heapPre.hash();
      this.restPre.set(2, this.heap);
      restChanged = true;
    }
    if (restChanged) this.rest = this.restPre.hash();
    locals.sync(m.stack32, m.fp);
    const base = m.fp + locals.n;
    this.ops.sync(m.stack32, base, m.sp > base ? m.sp - 1 : base);
    return true;
  }

  /** Updates every cache; returns the rest hash. */
  private sync(): Uint8Array {
    const m = this.machine;
    if (this.syncStep()) {
      this.syncCounts.step++;
      return this.rest!;
    }
    this.syncCounts.full++;
    this.claimMachine();
    this.staticHeader();
    let restChanged = this.rest === undefined;
    if (this.syncFrames()) restChanged = true;
    if (this.syncGlobals()) restChanged = true;
    let heapChanged = this.heap === undefined;
    if (this.syncMemory()) heapChanged = true;
    if (this.syncTable()) heapChanged = true;
    if (this.syncSegments()) heapChanged = true;
    if (m.memory.length !== this.heapMemLen || m.outputLength !== this.heapOutLen || this.lastOutputRef !== m.output || this.lastOutputEpoch !== m.changes.outputEpoch) heapChanged = true;
    if (heapChanged) {
      this.heapMemLen = m.memory.length;
      this.heapOutLen = m.outputLength;
      // heapWords order: memoryRoot, memoryPages, tableRoot, dataRoot, elemRoot, outputAcc, outputPartial, outputLength.
      const out = this.syncOutput();
      const hp = this.heapPre;
      hp.set(0, this.memRoot);
      hp.setNumber(1, m.memory.length / PAGE_BYTES);
      hp.set(2, this.tableRoot);
      hp.set(3, this.dataRoot!);
      hp.set(4, this.elemRoot!);
      hp.set(5, out.acc);
      hp.set(6, out.partial);
      hp.setNumber(7, m.outputLength);
      this.heap = hp.hash();
      restChanged = true;
    }
    const lm = this.lastMicro;
    // Outside a micro-stepped instruction (most steps) the words are (mp, 0, zero): no work.
    const idle = m.auxKind === AUX_NONE && lm !== undefined && lm.mp === m.mp && lm.auxLen === m.auxLen && lm.aux === ZERO32;
    const micro = idle ? lm : this.micro();
    if (!lm || lm.mp !== micro.mp || lm.auxLen !== micro.auxLen || !same32(lm.aux, micro.aux)) {
      this.lastMicro = micro;
      restChanged = true;
    }
    if (restChanged) {
      // restHashOf order: framesHash, globalsRoot, heapHash, staticHash, mp, auxLen, aux.
      const rp = this.restPre;
      rp.set(0, this.framesPrefix[m.depth]!);
      rp.set(1, this.globals!.root());
      rp.set(2, this.heap!);
      rp.set(3, this.staticH!);
      rp.setNumber(4, micro.mp);
      rp.setNumber(5, micro.auxLen);
      rp.set(6, micro.aux);
      this.rest = rp.hash();
    }
    this.syncFrame();
    return this.rest!;
  }

  /** The micro-step words of the header: aux is the aux chain's hash or the pending locals root. */
  private micro(): { mp: number; auxLen: number; aux: Uint8Array } {
    const m = this.machine;
    let aux: Uint8Array = ZERO32;
    if (m.auxKind === AUX_CHAIN) {
      this.auxChain.sync(m.auxSlots, 0, m.auxLen);
      aux = this.auxChain.top();
    } else if (m.auxKind === AUX_PENDING) {
      aux = this.pendingTree().root().slice();
    }
    return { mp: m.mp, auxLen: m.auxLen, aux };
  }

  /** The pending locals tree of a micro-stepped call (machine.auxKind === AUX_PENDING). */
  pendingTree(): SlotTree {
    const m = this.machine;
    const n = m.cm.funcs[m.auxFunc]!.nlocals;
    if (!this.pending || this.pendingFunc !== m.auxFunc || this.pending.n !== n) {
      this.pending = new SlotTree(m.auxSlots, 0, n, false);
      this.pendingFunc = m.auxFunc;
    } else this.pending.sync(m.auxSlots, 0);
    return this.pending;
  }

  /** The aux chain's hash after its first k values (for proofs). */
  auxChainAt(k: number): Uint8Array {
    this.auxChain.sync(this.machine.auxSlots, 0, this.machine.auxLen);
    return this.auxChain.at(k);
  }

  /** The current frame's operand chain hash after its first k operands (header() must have run). */
  operandsAt(k: number): Uint8Array {
    return this.ops.at(k);
  }

  /** The full header of the machine's current state. */
  header(): Header {
    const m = this.machine;
    this.sync();
    const st = this.staticPart!;
    const out = this.syncOutput();
    const micro = this.lastMicro!;
    // One literal in the Header's field order (no spreads: building the object is per step).
    return {
      status: STATUS_CODE[m.status],
      trap: TRAP_CODE[m.trap ?? "none"],
      nlocals: this.frameNlocals(m.depth),
      pc: m.pc,
      steps: m.steps,
      sp: m.sp,
      fp: m.fp,
      depth: m.depth,
      top: this.topValue(),
      operands: this.ops.top(),
      localsRoot: this.locals!.root().slice(),
      framesHash: this.framesPrefix[m.depth]!,
      globalsRoot: this.globals!.root().slice(),
      memoryRoot: this.memRoot,
      memoryPages: m.memory.length / PAGE_BYTES,
      tableRoot: this.tableRoot,
      dataRoot: this.dataRoot!,
      elemRoot: this.elemRoot!,
      outputAcc: out.acc,
      outputPartial: out.partial,
      outputLength: m.outputLength,
      codeRoot: st.codeRoot,
      codeLength: st.codeLength,
      funcsRoot: st.funcsRoot,
      nFuncs: st.nFuncs,
      nGlobals: st.nGlobals,
      tableSize: st.tableSize,
      nData: st.nData,
      nElem: st.nElem,
      inputRoot: st.inputRoot,
      inputLength: st.inputLength,
      maxSteps: st.maxSteps,
      maxMemoryPages: st.maxMemoryPages,
      maxCallDepth: st.maxCallDepth,
      maxValueStack: st.maxValueStack,
      maxOutputBytes: st.maxOutputBytes,
      maxTableEntries: st.maxTableEntries,
      mp: micro.mp,
      auxLen: micro.auxLen,
      aux: micro.aux,
    };
  }



  /** The state hash of the machine's current state (a fresh copy). */
  stateHash(): Uint8Array {
    const out = new Uint8Array(32);
    this.stateHashInto(out, 0);
    return out;
  }

  /**
   * Writes the state hash of the machine's current state to out[off, off+32), allocating
   * nothing: the path of callers that hash after every step.
   */
  stateHashInto(out: Uint8Array, off: number): void {
    if (!Number.isInteger(off) || off < 0 || off + 32 > out.length) throw new RangeError(`state hash output [${off}, ${off}+32) is outside a ${out.length}-byte buffer`);
    const m = this.machine;
    const rest = this.sync();
    const f = arena.bytes;
    const dv = this.arenaView;
    // "M", control (30 bytes), top (8), operands, localsRoot, rest (spec/STATE.md section 3).
    f[A_FINAL] = TAG.machine[0]!;
    dv.setUint8(A_FINAL + 1, m.status === "running" ? STATUS_RUNNING : STATUS_CODE[m.status]);
    dv.setUint8(A_FINAL + 2, m.trap === undefined ? TRAP_NONE : TRAP_CODE[m.trap]);
    dv.setUint32(A_FINAL + 3, this.locals!.n);
    dv.setUint32(A_FINAL + 7, m.pc);
    dv.setUint32(A_FINAL + 11, Math.floor(m.steps / 4294967296));
    dv.setUint32(A_FINAL + 15, m.steps >>> 0);
    dv.setUint32(A_FINAL + 19, m.sp);
    dv.setUint32(A_FINAL + 23, m.fp);
    dv.setUint32(A_FINAL + 27, m.depth);
    const S = m.stack32;
    if (m.sp > m.fp + this.locals!.n) {
      dv.setInt32(A_FINAL + 31, S[(m.sp - 1) * 2 + 1]!);
      dv.setInt32(A_FINAL + 35, S[(m.sp - 1) * 2]!);
    } else {
      dv.setInt32(A_FINAL + 31, 0);
      dv.setInt32(A_FINAL + 35, 0);
    }
    // The preimage stays in the arena between calls: rewrite only the parts that changed.
    if (rest !== this.restWritten || this.finalStale) {
      f.set(rest, A_FINAL + 103);
      this.restWritten = rest;
    }
    this.finalStale = false;
    // The operand chain's hash and the locals root are copied into the preimage by the keccak
    // call, from where they were computed; from a private buffer (a tall stack, many locals)
    // through the scratch words.
    let opsAt = this.ops.topInArena();
    if (opsAt < 0) {
      this.ops.copyTop(f, A_SCRATCH);
      opsAt = A_SCRATCH;
    }
    let localsAt = this.locals!.rootInArena();
    if (localsAt < 0) {
      this.locals!.copyRoot(f, A_SCRATCH + 32);
      localsAt = A_SCRATCH + 32;
    }
    // One padded block: the message's 135 bytes, then pad 0x01 and 0x80 in its last byte.
    f[A_FINAL + 135] = 0x81;
    arena.hashBlockWith(A_FINAL, A_OUT, opsAt, 39, localsAt, 71);
    out.set(ARENA_DIGEST, off);
  }
}
