/**
 * Binary Merkle tree over 32-byte leaves, for linear memory and reused for tables, globals
 * and input.
 *
 * Shape: a fixed `depth` (0..32), so 2^depth leaves; leaf i is bytes [32i, 32i+32) of the data,
 * bytes past the data's end being zero; an internal node is keccak256(left || right). The root
 * therefore commits to the data as if it were zero-extended to 32 * 2^depth bytes, which is
 * what lets a memory of a few pages sit in a tree sized for 4 GiB: an all-zero subtree's hash
 * is the precomputed zero hash of its level, and only the used prefix is stored.
 *
 * Storage: one flat Uint8Array per level (level 0 = a copy of the leaves), holding nodes
 * 0..count-1 of the used prefix. Below the top every level is padded to an even node count with
 * its level's zero hash, so the children of parent p are always the 64 contiguous bytes
 * [64p, 64p+64) of the level below, which the batched keccak hashes without gathering.
 * Nodes at or past a level's stored count are zero subtrees.
 *
 * The tree keeps its own copy of the leaves, so root(), proof() and leaf() describe the state
 * committed by the last build/updateLeaves, whatever the caller does to its data afterwards.
 */
import { batchScratch, hash64Batch, hashPair } from "../hash/keccak.ts";

/** Largest supported depth: 2^32 leaves covers a 32-bit address space of 32-byte leaves and more. */
export const MAX_TREE_DEPTH = 32;

/** zeroHashes level k = root of an all-zero subtree of height k (level 0: 32 zero bytes). */
const ZERO = new Uint8Array(32 * (MAX_TREE_DEPTH + 1));
for (let k = 0; k < MAX_TREE_DEPTH; k++) hashPair(ZERO, 32 * k, ZERO, 32 * k, ZERO, 32 * (k + 1));
const ZERO_VIEWS: Uint8Array[] = Array.from({ length: MAX_TREE_DEPTH + 1 }, (_, k) => ZERO.subarray(32 * k, 32 * k + 32));
const ZERO32_VIEWS: Int32Array[] = Array.from({ length: MAX_TREE_DEPTH + 1 }, (_, k) => new Int32Array(ZERO.buffer, 32 * k, 8));
/** Dirty-leaf counts up to which updateLeaves hashes leaf by leaf, one path per call. */
const PATH_UPDATE_MAX = 4;
/** Consecutive dirty parents from which a level's pairs are copied as one block. */
const RUN_COPY_MIN = 4;

/** The root of an all-zero subtree of height `level` (a fresh copy). */
export function zeroHash(level: number): Uint8Array {
  checkDepth(level);
  return ZERO_VIEWS[level]!.slice();
}

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_TREE_DEPTH) {
    throw new RangeError(`Merkle depth must be an integer in 0..${MAX_TREE_DEPTH}, got ${depth}`);
  }
}

/** End of the run of consecutive indices in work[start + j, start + n) that begins at j. */
function runEnd(work: Int32Array, start: number, j: number, n: number): number {
  const first = work[start + j]!;
  let e = j + 1;
  while (e < n && work[start + e] === first + (e - j)) e++;
  return e;
}

/** Fill nodes [from, to) of a level with a 32-byte pattern, doubling with copyWithin. */
function fillNodes(level: Uint8Array, from: number, to: number, pattern: Uint8Array): void {
  if (to <= from) return;
  const start = 32 * from;
  const end = 32 * to;
  level.set(pattern, start);
  for (let filled = 32; start + filled < end; filled *= 2) {
    level.copyWithin(start + filled, start, Math.min(start + 2 * filled, end) - filled);
  }
}

/** What a one-step proof needs of a tree (MerkleTree, PagedMemoryTree). */
export interface ProvableTree {
  readonly depth: number;
  root(): Uint8Array;
  leaf(i: number): Uint8Array;
  proof(i: number): Uint8Array;
}

export class MerkleTree implements ProvableTree {
  readonly depth: number;
  /**
   * Height of this tree's leaves in a larger tree: an absent leaf is Z[base] and an absent node
   * of level k is Z[base + k] (a tree over the roots of subtrees of height `base`). build()
   * needs base 0.
   */
  readonly base: number;
  /** levels[k]: nodes of level k (0 = leaves), used prefix, padded to even below the top. */
  private levels: Uint8Array[] = [];
  /** Int32 views of the same buffers, for word-wise gathering into the batch scratch. */
  private levels32: Int32Array[] = [];
  /** Leaves covered by level 0's used prefix (>= 1). */
  private leafCount = 0;
  /** Reused buffer for sorting dirty indices. */
  private work = new Int32Array(0);
  /** 2^depth, computed once (updateLeaves reads it per call). */
  private readonly leafCapacity: number;
  /** Word view of the data last updated from (updateLeaves). */
  private wordsSrc: Uint8Array | undefined;
  private words: Int32Array | undefined;

  constructor(depth: number, base = 0) {
    checkDepth(depth);
    checkDepth(depth + base);
    this.depth = depth;
    this.base = base;
    this.leafCapacity = 2 ** depth;
    this.allocate(1, "zero");
  }

  /** Number of leaves (2^depth). */
  get capacity(): number {
    return this.leafCapacity;
  }

  /** Leaves stored explicitly (the used prefix); all later leaves are zero. */
  get storedLeaves(): number {
    return this.leafCount;
  }

  /** An independent copy (same depth, base and nodes). */
  clone(): MerkleTree {
    const t = new MerkleTree(this.depth, this.base);
    t.levels = this.levels.map((l) => l.slice());
    t.levels32 = t.levels.map((l) => new Int32Array(l.buffer));
    t.leafCount = this.leafCount;
    return t;
  }

  /** Bytes held by the tree's levels. */
  get byteLength(): number {
    let n = 0;
    for (const l of this.levels) n += l.length;
    return n;
  }

  /** Nodes stored for level k given `leaves` leaves: ceil(leaves / 2^k), even below the top. */
  private storedCount(leaves: number, k: number): number {
    if (k === this.depth) return 1;
    const c = Math.ceil(leaves / 2 ** k);
    return c + (c & 1);
  }

  private leavesFor(byteLength: number): number {
    const n = Math.max(1, Math.ceil(byteLength / 32));
    if (n > this.capacity) {
      throw new RangeError(`data of ${byteLength} bytes exceeds a depth-${this.depth} tree (${this.capacity} leaves of 32 bytes)`);
    }
    return n;
  }

  /**
   * (Re)allocate the levels for `leaves` leaves. With `keep`, existing nodes are copied and the
   * new part is filled with zero hashes (it covers leaves that were zero); with "zero", the tree
   * is all-zero; with "none", the nodes above the leaves are left for build() to overwrite.
   */
  private allocate(leaves: number, keep: Uint8Array[] | "zero" | "none"): void {
    const levels: Uint8Array[] = [];
    const levels32: Int32Array[] = [];
    for (let k = 0; k <= this.depth; k++) {
      const count = this.storedCount(leaves, k);
      const level = new Uint8Array(32 * count);
      const zero = k + this.base > 0;
      if (Array.isArray(keep)) {
        const old = keep[k]!;
        level.set(old);
        if (zero) fillNodes(level, old.length / 32, count, ZERO_VIEWS[k + this.base]!);
      } else if (keep === "zero" && zero) {
        fillNodes(level, 0, count, ZERO_VIEWS[k + this.base]!);
      }
      levels.push(level);
      levels32.push(new Int32Array(level.buffer));
    }
    this.levels = levels;
    this.levels32 = levels32;
    this.leafCount = leaves;
  }

  /** Full build from `data`: leaf i = data[32i, 32i+32), zero-extended. */
  build(data: Uint8Array): void {
    if (this.base !== 0) throw new RangeError("build() needs a tree of base 0");
    const leaves = this.leavesFor(data.length);
    if (leaves !== this.leafCount) {
      this.allocate(leaves, "none");
    }
    const level0 = this.levels[0]!;
    level0.set(data);
    level0.fill(0, data.length);
    for (let k = 0; k < this.depth; k++) {
      const child = this.levels[k]!;
      const parent = this.levels[k + 1]!;
      const pairs = child.length / 64;
      hash64Batch(child, 0, pairs, parent, 0);
      // A parent level with an odd count keeps its pad node (already the zero hash); restore it
      // in case the level was reused.
      if (k + 1 < this.depth && pairs & 1) parent.set(ZERO_VIEWS[k + 1]!, 32 * pairs);
    }
  }

  /**
   * Incremental update: re-read the given leaves from `data` and rehash only the paths above
   * them, batching each level's distinct dirty parents into one batched-keccak call.
   *
   * Contract: `leafIndices[0..count)` (any order, repeats allowed) must include every leaf whose
   * bytes differ from the state committed by the last build/update. Leaves past the previously
   * committed data count as zero, so a memory.grow (which zero-fills) needs no dirty entries of
   * its own; a shrink must mark the leaves it cut off.
   *
   * Returns true if a leaf's bytes changed (the root may differ), false if every listed
   * leaf was written back with the bytes it had.
   */
  updateLeaves(data: Uint8Array, leafIndices: Int32Array, count: number): boolean {
    if (!Number.isInteger(count) || count < 0 || count > leafIndices.length) {
      throw new RangeError(`count ${count} out of range for ${leafIndices.length} indices`);
    }
    const cap = this.capacity;
    let maxIndex = -1;
    for (let j = 0; j < count; j++) {
      const i = leafIndices[j]!;
      if (i < 0 || i >= cap) throw new RangeError(`leaf index ${i} out of range for depth ${this.depth}`);
      if (i > maxIndex) maxIndex = i;
    }
    const leaves = Math.max(this.leafCount, this.leavesFor(data.length), maxIndex + 1);
    if (leaves > this.leafCount) this.allocate(leaves, this.levels);
    if (count === 0) return false;

    // Copy the dirty leaves in (zero past the data's end), keeping only those whose bytes
    // changed: a leaf written back with the same bytes needs no rehash.
    const level0 = this.levels[0]!;
    const len = data.length;
    if (this.work.length < count) this.work = new Int32Array(Math.max(count, 2 * this.work.length));
    const work = this.work;
    let changed = 0;
    // Whole leaves inside the data are compared and copied as 8 words when the data is
    // word-aligned (machine memories and snapshot pages are).
    const words = (data.byteOffset & 3) === 0 ? this.wordsOf(data) : undefined;
    const lv32 = this.levels32[0]!;
    for (let j = 0; j < count; j++) {
      const i = leafIndices[j]!;
      const base = 32 * i;
      let diff = false;
      if (words !== undefined && base + 32 <= len) {
        const w = 8 * i;
        if (
          lv32[w] !== words[w] || lv32[w + 1] !== words[w + 1] || lv32[w + 2] !== words[w + 2] || lv32[w + 3] !== words[w + 3] ||
          lv32[w + 4] !== words[w + 4] || lv32[w + 5] !== words[w + 5] || lv32[w + 6] !== words[w + 6] || lv32[w + 7] !== words[w + 7]
        ) {
          diff = true;
          lv32[w] = words[w]!;
          lv32[w + 1] = words[w + 1]!;
          lv32[w + 2] = words[w + 2]!;
          lv32[w + 3] = words[w + 3]!;
          lv32[w + 4] = words[w + 4]!;
          lv32[w + 5] = words[w + 5]!;
          lv32[w + 6] = words[w + 6]!;
          lv32[w + 7] = words[w + 7]!;
        }
      } else if (base + 32 <= len) {
        for (let b = 0; b < 32; b++) {
          const v = data[base + b]!;
          if (level0[base + b] !== v) {
            level0[base + b] = v;
            diff = true;
          }
        }
      } else {
        const zl = ZERO_VIEWS[this.base]!;
        for (let b = 0; b < 32; b++) {
          const v = base + b < len ? data[base + b]! : zl[b]!;
          if (level0[base + b] !== v) {
            level0[base + b] = v;
            diff = true;
          }
        }
      }
      if (diff) work[changed++] = i;
    }
    if (changed === 0) return false;
    count = changed;

    if (count <= PATH_UPDATE_MAX) {
      // A few leaves (a step's stores): one call per leaf hashes its whole path.
      for (let j = 0; j < count; j++) this.updatePath(work[j]!);
      return true;
    }

    // Sorted distinct indices; parents of a sorted list stay sorted, so each level dedupes by
    // comparing neighbours.
    work.subarray(0, count).sort();
    let m = 0;
    for (let j = 0; j < count; j++) if (m === 0 || work[j] !== work[m - 1]) work[m++] = work[j]!;

    const scratchIn = batchScratch.in32;
    const scratchOut = batchScratch.out32;
    const batch = batchScratch.capacity;
    for (let k = 0; k < this.depth; k++) {
      // Distinct parents of this level's dirty nodes.
      let mp = 0;
      for (let j = 0; j < m; j++) {
        const p = work[j]! >>> 1;
        if (mp === 0 || work[mp - 1] !== p) work[mp++] = p;
      }
      m = mp;
      const child = this.levels32[k]!;
      const parent = this.levels32[k + 1]!;
      for (let start = 0; start < m; start += batch) {
        const n = Math.min(batch, m - start);
        // Runs of consecutive parents are copied as one block (a native copy); lone
        // parents word by word, unrolled.
        for (let j = 0; j < n; ) {
          const first = work[start + j]!;
          const e = runEnd(work, start, j, n);
          if (e - j >= RUN_COPY_MIN) {
            scratchIn.set(child.subarray(16 * first, 16 * (first + e - j)), 16 * j);
          } else {
            for (let q = j; q < e; q++) {
              const src = 16 * work[start + q]!;
              const dst = 16 * q;
              scratchIn[dst] = child[src]!;
              scratchIn[dst + 1] = child[src + 1]!;
              scratchIn[dst + 2] = child[src + 2]!;
              scratchIn[dst + 3] = child[src + 3]!;
              scratchIn[dst + 4] = child[src + 4]!;
              scratchIn[dst + 5] = child[src + 5]!;
              scratchIn[dst + 6] = child[src + 6]!;
              scratchIn[dst + 7] = child[src + 7]!;
              scratchIn[dst + 8] = child[src + 8]!;
              scratchIn[dst + 9] = child[src + 9]!;
              scratchIn[dst + 10] = child[src + 10]!;
              scratchIn[dst + 11] = child[src + 11]!;
              scratchIn[dst + 12] = child[src + 12]!;
              scratchIn[dst + 13] = child[src + 13]!;
              scratchIn[dst + 14] = child[src + 14]!;
              scratchIn[dst + 15] = child[src + 15]!;
            }
          }
          j = e;
        }
        batchScratch.run(n);
        for (let j = 0; j < n; ) {
          const first = work[start + j]!;
          const e = runEnd(work, start, j, n);
          if (e - j >= RUN_COPY_MIN) {
            parent.set(scratchOut.subarray(8 * j, 8 * e), 8 * first);
          } else {
            for (let q = j; q < e; q++) {
              const dst = 8 * work[start + q]!;
              const src = 8 * q;
              parent[dst] = scratchOut[src]!;
              parent[dst + 1] = scratchOut[src + 1]!;
              parent[dst + 2] = scratchOut[src + 2]!;
              parent[dst + 3] = scratchOut[src + 3]!;
              parent[dst + 4] = scratchOut[src + 4]!;
              parent[dst + 5] = scratchOut[src + 5]!;
              parent[dst + 6] = scratchOut[src + 6]!;
              parent[dst + 7] = scratchOut[src + 7]!;
            }
          }
          j = e;
        }
      }
    }
    return true;
  }

  /** An Int32Array view of `data` (word-aligned), cached for the last data seen. */
  private wordsOf(data: Uint8Array): Int32Array {
    if (this.wordsSrc !== data) {
      this.wordsSrc = data;
      this.words = new Int32Array(data.buffer, data.byteOffset, Math.floor(data.length / 4)); // not >>> 2: 2^32 bytes
    }
    return this.words!;
  }

  /** Root (a fresh copy). */
  /** Rehashes the ancestors of leaf i (its bytes already in level 0) in one call to the keccak module. */
  private updatePath(i: number): void {
    const d = this.depth;
    const inp = batchScratch.in32;
    const out = batchScratch.out32;
    const leaf = this.levels32[0]!;
    for (let w = 0; w < 8; w++) inp[w] = leaf[8 * i + w]!;
    for (let k = 0; k < d; k++) {
      const s = (i >>> k) ^ 1;
      const lv = this.levels32[k]!;
      const dst = 8 * (k + 1);
      if (8 * s < lv.length) for (let w = 0; w < 8; w++) inp[dst + w] = lv[8 * s + w]!;
      else for (let w = 0; w < 8; w++) inp[dst + w] = ZERO32_VIEWS[k + this.base]![w]!;
    }
    batchScratch.path(i, d);
    for (let k = 0; k < d; k++) {
      const p = i >>> (k + 1);
      const lv = this.levels32[k + 1]!;
      for (let w = 0; w < 8; w++) lv[8 * p + w] = out[8 * k + w]!;
    }
  }

  root(): Uint8Array {
    return this.levels[this.depth]!.slice(0, 32);
  }

  /** Root written to out[off..off+32). */
  rootInto(out: Uint8Array, off = 0): void {
    out.set(this.levels[this.depth]!.subarray(0, 32), off);
  }

  /** Node `index` of `level` (0 = leaves), zero hashes past the used prefix (a fresh copy). */
  node(level: number, index: number): Uint8Array {
    const out = new Uint8Array(32);
    this.nodeInto(level, index, out, 0);
    return out;
  }

  private nodeInto(level: number, index: number, out: Uint8Array, off: number): void {
    if (!Number.isInteger(level) || level < 0 || level > this.depth) throw new RangeError(`level ${level} out of range`);
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** (this.depth - level)) {
      throw new RangeError(`node index ${index} out of range at level ${level}`);
    }
    const nodes = this.levels[level]!;
    if (index < nodes.length / 32) out.set(nodes.subarray(32 * index, 32 * index + 32), off);
    else out.set(ZERO_VIEWS[level + this.base]!, off);
  }

  /** Leaf i as committed (a fresh copy). */
  leaf(i: number): Uint8Array {
    return this.node(0, i);
  }

  /** Siblings of leaf i's path, bottom-up: depth x 32 bytes. */
  proof(i: number): Uint8Array {
    const out = new Uint8Array(32 * this.depth);
    this.proofInto(i, out, 0);
    return out;
  }

  /** proof(i) written to out[off..off+32*depth). */
  proofInto(i: number, out: Uint8Array, off = 0): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) throw new RangeError(`leaf index ${i} out of range for depth ${this.depth}`);
    let idx = i;
    for (let k = 0; k < this.depth; k++) {
      this.nodeInto(k, idx % 2 === 0 ? idx + 1 : idx - 1, out, off + 32 * k);
      idx = Math.floor(idx / 2);
    }
  }
}

/**
 * The root implied by a leaf and its siblings (bottom-up, depth x 32 bytes): bit k of
 * leafIndex says whether the level-k node is a right child. Throws on malformed input.
 */
export function rootFromProof(leafIndex: number, leaf32: Uint8Array, siblings: Uint8Array, depth: number): Uint8Array {
  checkDepth(depth);
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= 2 ** depth) {
    throw new RangeError(`leaf index ${leafIndex} out of range for depth ${depth}`);
  }
  if (leaf32.length !== 32) throw new RangeError(`leaf must be 32 bytes, got ${leaf32.length}`);
  if (siblings.length !== 32 * depth) throw new RangeError(`proof must be ${32 * depth} bytes, got ${siblings.length}`);
  const cur = leaf32.slice();
  let idx = leafIndex;
  for (let k = 0; k < depth; k++) {
    if (idx % 2 === 0) hashPair(cur, 0, siblings, 32 * k, cur, 0);
    else hashPair(siblings, 32 * k, cur, 0, cur, 0);
    idx = Math.floor(idx / 2);
  }
  return cur;
}

/** Whether `siblings` proves `leaf32` at `leafIndex` under `root`; false on any malformed input. */
export function verifyProof(root: Uint8Array, leafIndex: number, leaf32: Uint8Array, siblings: Uint8Array, depth: number): boolean {
  if (root.length !== 32) return false;
  let computed: Uint8Array;
  try {
    computed = rootFromProof(leafIndex, leaf32, siblings, depth);
  } catch {
    return false;
  }
  for (let b = 0; b < 32; b++) if (computed[b] !== root[b]) return false;
  return true;
}

/** Root of a depth-`depth` tree over `data`, built once (for cold paths and tests). */
export function merkleRoot(data: Uint8Array, depth: number): Uint8Array {
  const t = new MerkleTree(depth);
  t.build(data);
  return t.root();
}
