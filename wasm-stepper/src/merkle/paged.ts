/**
 * The memory tree of spec/STATE.md section 1, stored sparsely so that its cost
 * follows what a task touches, not the memory's size: a 65,536-page memory of
 * which a task writes a few leaves costs about what a 16-page one does.
 *
 * Shape: the same fixed-depth tree over 32-byte leaves as MerkleTree (the same
 * root), seen as two layers. Each 64 KiB page is a subtree of height
 * `pageLevels` (11: 2048 leaves); above them a tree over the page roots
 * (height depth - pageLevels). A page that is all zero is not stored: its
 * root is the shared zero hash Z[pageLevels]. A page is materialised (a
 * MerkleTree of its own, itself storing only the prefix up to its highest
 * written leaf) on the first write that makes a leaf non-zero, and the upper
 * tree stores only the prefix up to the highest materialised page, padded with
 * Z[pageLevels]. So the memory held is about 64 KiB x 2 per written page plus
 * 96 bytes per page below the highest written one (its root and the upper
 * levels), and a full build reads only the pages that may be non-zero (the
 * caller names them).
 */
import spec from "../../spec/state.json" with { type: "json" };
import { MerkleTree, type ProvableTree } from "./tree.ts";

const LEAF = spec.widths.leafBytes;

export class PagedMemoryTree implements ProvableTree {
  readonly depth: number;
  /** Height of a page's subtree (log2 of its leaves). */
  readonly pageLevels: number;
  private readonly pageBytes: number;
  /** Materialised pages; undefined = all zero. */
  private pages: (MerkleTree | undefined)[] = [];
  private upper: MerkleTree;
  /** Page roots, 32 bytes each, up to the highest materialised page (Z[pageLevels] for absent ones). */
  private roots = new Uint8Array(0);
  private readonly zeroRoot: Uint8Array;
  private one = new Int32Array(1);
  /** Views of the pages of `viewsOf` (the data last updated from), made once per page. */
  private views: Uint8Array[] = [];
  private viewsOf: Uint8Array | undefined;
  private work = new Int32Array(16);
  private changedPages = new Int32Array(16);

  constructor(depth: number, pageLevels: number) {
    if (depth < pageLevels) throw new RangeError(`memory tree depth ${depth} below the page height ${pageLevels}`);
    this.depth = depth;
    this.pageLevels = pageLevels;
    this.pageBytes = LEAF << pageLevels;
    this.upper = new MerkleTree(depth - pageLevels, pageLevels);
    this.zeroRoot = new MerkleTree(0, pageLevels).root();
  }

  /** Pages stored (materialised). */
  get materialisedPages(): number {
    let n = 0;
    for (const p of this.pages) if (p) n++;
    return n;
  }

  /** Bytes held by the stored nodes (pages, page roots and the upper tree). */
  get byteLength(): number {
    let n = this.roots.length + this.upper.byteLength;
    for (const p of this.pages) if (p) n += p.byteLength;
    return n;
  }

  /**
   * Full build from `data`. `candidates` lists the pages that may hold non-zero
   * bytes (any order, repeats allowed); every other page of `data` MUST be all
   * zero. Without it every page is read.
   */
  build(data: Uint8Array, candidates?: Iterable<number>): void {
    this.pages = [];
    this.roots = new Uint8Array(0);
    this.upper = new MerkleTree(this.depth - this.pageLevels, this.pageLevels);
    const nPages = Math.ceil(data.length / this.pageBytes);
    const list: number[] = [];
    if (candidates) {
      for (const p of candidates) if (p >= 0 && p < nPages) list.push(p);
    } else {
      for (let p = 0; p < nPages; p++) list.push(p);
    }
    list.sort((a, b) => a - b);
    const changed: number[] = [];
    for (let j = 0; j < list.length; j++) {
      const p = list[j]!;
      if (j > 0 && list[j - 1] === p) continue;
      const view = data.subarray(p * this.pageBytes, (p + 1) * this.pageBytes);
      if (isZero(view)) continue;
      const t = new MerkleTree(this.pageLevels);
      t.build(view);
      this.pages[p] = t;
      changed.push(p);
    }
    this.commitPages(Int32Array.from(changed), changed.length);
  }

  /**
   * Incremental update, as MerkleTree.updateLeaves: `leafIndices[0..count)` must
   * include every leaf whose bytes differ from the last committed state.
   * Returns true if a leaf's bytes changed (the root may differ).
   */
  updateLeaves(data: Uint8Array, leafIndices: Int32Array, count: number): boolean {
    if (count === 0) return false;
    const shift = this.pageLevels;
    const mask = (1 << shift) - 1;
    let nChanged = 0;
    if (count === 1) {
      const i = leafIndices[0]!;
      if (this.updatePage(data, i >>> shift, leafIndices, 0, 1, i & ~mask)) nChanged = this.pushChanged(0, i >>> shift);
    } else {
      // Sort so that each page's leaves are one run.
      if (this.work.length < count) this.work = new Int32Array(Math.max(count, 2 * this.work.length));
      const w = this.work.subarray(0, count);
      w.set(leafIndices.subarray(0, count));
      w.sort();
      for (let a = 0; a < count; ) {
        const p = w[a]! >>> shift;
        let b = a + 1;
        while (b < count && w[b]! >>> shift === p) b++;
        if (this.updatePage(data, p, w, a, b, p << shift)) nChanged = this.pushChanged(nChanged, p);
        a = b;
      }
    }
    if (nChanged === 0) return false;
    this.commitPages(this.changedPages, nChanged);
    return true;
  }

  private pushChanged(n: number, p: number): number {
    if (n === this.changedPages.length) {
      const c = new Int32Array(2 * n);
      c.set(this.changedPages);
      this.changedPages = c;
    }
    this.changedPages[n] = p;
    return n + 1;
  }

  /** Updates page p from leaves idx[a, b) (absolute indices, `first` the page's first leaf); true if its root changed. */
  private updatePage(data: Uint8Array, p: number, idx: Int32Array, a: number, b: number, first: number): boolean {
    let t = this.pages[p];
    if (!t) {
      // Materialise on the first write that is not zero.
      let nonZero = false;
      for (let j = a; j < b && !nonZero; j++) nonZero = !isZero(leafBytes(data, idx[j]!));
      if (!nonZero) return false;
      t = new MerkleTree(this.pageLevels);
      this.pages[p] = t;
    }
    if (data !== this.viewsOf) {
      this.views = [];
      this.viewsOf = data;
    }
    const view = (this.views[p] ??= data.subarray(p * this.pageBytes, (p + 1) * this.pageBytes));
    let local: Int32Array;
    if (b - a === 1) {
      local = this.one;
      local[0] = idx[a]! - first;
    } else {
      local = new Int32Array(b - a);
      for (let j = a; j < b; j++) local[j - a] = idx[j]! - first;
    }
    return t.updateLeaves(view, local, local.length);
  }

  /** Writes the roots of pages[0..n) of `changed` into the upper tree. */
  private commitPages(changed: Int32Array, n: number): void {
    if (n === 0) return;
    let max = this.roots.length / LEAF - 1;
    for (let j = 0; j < n; j++) if (changed[j]! > max) max = changed[j]!;
    if ((max + 1) * LEAF > this.roots.length) {
      const r = new Uint8Array(Math.max((max + 1) * LEAF, Math.min(2 * this.roots.length, LEAF << (this.depth - this.pageLevels))));
      r.set(this.roots);
      for (let o = this.roots.length; o < r.length; o += LEAF) r.set(this.zeroRoot, o);
      this.roots = r;
    }
    for (let j = 0; j < n; j++) {
      const p = changed[j]!;
      const t = this.pages[p];
      if (t) t.rootInto(this.roots, p * LEAF);
      else this.roots.set(this.zeroRoot, p * LEAF);
    }
    this.upper.updateLeaves(this.roots, changed, n);
  }

  /** A copy of page p's subtree as committed (undefined: the page is all zero). */
  pageCopy(p: number): MerkleTree | undefined {
    return this.pages[p]?.clone();
  }

  /**
   * Replaces the subtrees of pages `ps` with copies of `trees` (undefined: an all-zero
   * page) and updates the levels above them: for a caller that knows the committed
   * bytes of those pages changed to what the trees describe (a snapshot's pages whose
   * subtrees it kept), instead of rehashing their leaves.
   */
  setPages(ps: readonly number[], trees: readonly (MerkleTree | undefined)[]): void {
    if (ps.length === 0) return;
    for (let j = 0; j < ps.length; j++) {
      const t = trees[j];
      if (t && (t.depth !== this.pageLevels || t.base !== 0)) throw new RangeError(`a page subtree must have depth ${this.pageLevels}, got ${t.depth}`);
      this.pages[ps[j]!] = t?.clone();
    }
    this.commitPages(Int32Array.from(ps), ps.length);
  }

  root(): Uint8Array {
    return this.upper.root();
  }

  rootInto(out: Uint8Array, off = 0): void {
    this.upper.rootInto(out, off);
  }

  /** Leaf i as committed (a fresh copy). */
  leaf(i: number): Uint8Array {
    this.checkLeaf(i);
    const t = this.pages[i >>> this.pageLevels];
    return t ? t.leaf(i & ((1 << this.pageLevels) - 1)) : new Uint8Array(LEAF);
  }

  /** Siblings of leaf i's path, bottom-up: depth x 32 bytes. */
  proof(i: number): Uint8Array {
    this.checkLeaf(i);
    const out = new Uint8Array(LEAF * this.depth);
    const p = i >>> this.pageLevels;
    const t = this.pages[p];
    if (t) t.proofInto(i & ((1 << this.pageLevels) - 1), out, 0);
    else new MerkleTree(this.pageLevels).proofInto(0, out, 0); // an all-zero page: Z[0..pageLevels)
    this.upper.proofInto(p, out, LEAF * this.pageLevels);
    return out;
  }

  private checkLeaf(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= 2 ** this.depth) throw new RangeError(`leaf index ${i} out of range for depth ${this.depth}`);
  }
}

function leafBytes(data: Uint8Array, i: number): Uint8Array {
  return data.subarray(LEAF * i, LEAF * i + LEAF);
}

const ZERO_CHUNK = Buffer.alloc(1 << 16);

/** True if every byte is zero (a native memcmp per 64 KiB). */
export function isZero(b: Uint8Array): boolean {
  for (let o = 0; o < b.length; o += ZERO_CHUNK.length) {
    const n = Math.min(ZERO_CHUNK.length, b.length - o);
    if (!Buffer.from(b.buffer, b.byteOffset + o, n).equals(ZERO_CHUNK.subarray(0, n))) return false;
  }
  return true;
}
