/**
 * Re-execution from stored snapshots, shared by the main thread and the trace
 * workers (src/state/trace.ts, src/state/trace-worker.ts): one Machine and one
 * StateCommitment per trace, moved from snapshot to snapshot and run forward to
 * the requested positions.
 *
 * Moving the machine to another snapshot keeps the commitment's memory tree:
 * only the 32-byte leaves whose bytes differ between the machine's memory and
 * the snapshot's are marked for rehashing (instead of rebuilding the tree of
 * the whole memory, which costs about 0.5 us per leaf: ~16 ms for 1 MiB).
 * A page whose subtree the replayer kept from an earlier visit of a snapshot
 * holding the same page (by page id) is swapped in whole instead, and an
 * all-zero page becomes the shared zero subtree: no leaf of it is rehashed.
 * Subtrees are kept up to PAGE_TREE_CACHE_BYTES per replayer (one replayer
 * per trace and thread).
 */
import { LEAF_SIZE, PAGE_SIZE, type Machine, type MachineSnapshot } from "../machine.ts";
import { isZero } from "../merkle/paged.ts";
import type { MerkleTree } from "../merkle/tree.ts";
import { StateCommitment } from "./commit.ts";
import { machineFor, type ProveTarget } from "./prove.ts";

/**
 * A snapshot as a Trace stores it: the machine state without its memory, and
 * the memory as 64 KiB pages. A page equal to the previous snapshot's page is
 * the same object (snapshots share unchanged pages). Pages live in
 * SharedArrayBuffers, so posting a snapshot to a worker copies no memory.
 */
export interface StoredSnapshot {
  steps: number;
  state: Omit<MachineSnapshot, "memory">;
  pages: Uint8Array[];
  memoryLength: number;
  /** The pages that are not all zero, ascending; every other page is the shared zero page. */
  nonZeroPages: number[];
  /** Memory leaves whose bytes differ from the previous snapshot's (all non-zero leaves for the first). */
  leavesChanged: number;
  /**
   * Milliseconds Trace.create spent reaching this snapshot from the previous one (running and
   * storing it), when known: the scheduler's per-segment speed, since a run's phases differ
   * (a loop writing memory runs slower than one that only reads it).
   */
  runMs?: number;
  /**
   * An id per non-zero page (pageIds[j] for page nonZeroPages[j]), equal for the same
   * page object and unique in the process: worker threads receive copies of the page
   * objects, and key what they keep per page by these ids. Absent in snapshots stored
   * before ids existed.
   */
  pageIds?: number[];
}

/** The next id of a stored page (StoredSnapshot.pageIds). */
let nextPageId = 1;

/** Bytes two snapshots' pages are compared in (Buffer.equals is a native memcmp). */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);
/** The page every all-zero page of a stored snapshot is (one for all snapshots). */
const ZERO_SHARED = new Uint8Array(new SharedArrayBuffer(PAGE_SIZE));

/**
 * The pages of m's memory that may hold non-zero bytes: those of its page hint
 * (data segments, pages a commitment saw written, a restored snapshot's) and
 * of the leaves in its dirty list, ascending; undefined if any page may.
 */
export function possiblyNonZeroPages(m: Machine): number[] | undefined {
  const hint = m.memoryPagesHint;
  if (!hint) return undefined;
  const mark = new Uint8Array(m.memory.length / PAGE_SIZE);
  mark.set(hint.subarray(0, mark.length));
  const shift = Math.log2(PAGE_SIZE / LEAF_SIZE);
  for (let k = 0; k < m.changes.dirtyCount; k++) mark[m.changes.dirtyList[k]! >>> shift] = 1;
  const out: number[] = [];
  for (let p = 0; p < mark.length; p++) if (mark[p] === 1) out.push(p);
  return out;
}

/** Leaves of two pages whose bytes differ. */
function leavesDiffering(a: Uint8Array, b: Uint8Array): number {
  const x = new Int32Array(a.buffer, a.byteOffset, PAGE_SIZE >>> 2);
  const y = new Int32Array(b.buffer, b.byteOffset, PAGE_SIZE >>> 2);
  let n = 0;
  for (let w = 0; w < x.length; w += 8) {
    if (x[w] !== y[w] || x[w + 1] !== y[w + 1] || x[w + 2] !== y[w + 2] || x[w + 3] !== y[w + 3] || x[w + 4] !== y[w + 4] || x[w + 5] !== y[w + 5] || x[w + 6] !== y[w + 6] || x[w + 7] !== y[w + 7]) n++;
  }
  return n;
}

/**
 * Stores `s`, sharing the pages that equal `prev`'s. Returns the snapshot and
 * the bytes it added. Counts the leaves that changed since `prev` (a guide to
 * the hashing work of the segment, for scheduling).
 */
export function storeSnapshot(
  s: MachineSnapshot,
  prev: StoredSnapshot | undefined,
  memory: Uint8Array = s.memory,
  candidates?: number[],
): { snap: StoredSnapshot; newBytes: number } {
  const { memory: _, nonZeroPages: __, ...state } = s;
  const pages: Uint8Array[] = [];
  const nonZeroPages: number[] = [];
  const pageIds: number[] = [];
  // prev's id of page i: prev.pageIds[k] with prev.nonZeroPages[k] === i (both ascending).
  let k = 0;
  const prevId = (i: number): number => {
    const nz = prev?.nonZeroPages ?? [];
    while (k < nz.length && nz[k]! < i) k++;
    return k < nz.length && nz[k] === i ? (prev?.pageIds?.[k] ?? 0) : 0;
  };
  let newBytes = 0;
  let leavesChanged = 0;
  // Only candidate pages are read: the others are zero (so a 4 GiB memory that a task
  // touches in a few pages costs those pages).
  let cand: Uint8Array | undefined;
  if (candidates) {
    cand = new Uint8Array(Math.ceil(memory.length / PAGE_SIZE));
    for (const p of candidates) cand[p] = 1;
  }
  for (let off = 0, i = 0; off < memory.length; off += PAGE_SIZE, i++) {
    const old = prev?.pages[i];
    if (cand && cand[i] === 0) {
      pages.push(ZERO_SHARED);
      continue;
    }
    const view = memory.subarray(off, off + PAGE_SIZE);
    if (old !== undefined && bytesEqual(old, view)) {
      pages.push(old);
      if (old !== ZERO_SHARED) {
        nonZeroPages.push(i);
        pageIds.push(prevId(i) || nextPageId++);
      }
      continue;
    }
    leavesChanged += leavesDiffering(old ?? ZERO_PAGE, view);
    if (isZero(view)) {
      pages.push(ZERO_SHARED);
      continue;
    }
    const page = new Uint8Array(new SharedArrayBuffer(PAGE_SIZE));
    page.set(view);
    pages.push(page);
    nonZeroPages.push(i);
    pageIds.push(nextPageId++);
    newBytes += PAGE_SIZE;
  }
  for (const x of [state.stack, state.frames, state.globals, state.table, state.dataDropped, state.elemDropped, state.output]) newBytes += x.byteLength;
  return { snap: { steps: s.steps, state, pages, memoryLength: memory.length, nonZeroPages, leavesChanged, pageIds }, newBytes };
}

/** Counters of what a Replayer did (for benchmarks and tests). */
export interface ReplayStats {
  /** Steps executed. */
  steps: number;
  /** Snapshots restored, and how many of those kept the memory tree (incremental). */
  restores: number;
  incrementalRestores: number;
  /** Memory leaves marked for rehashing by incremental restores. */
  restoredLeaves: number;
  /** Memory pages incremental restores set from kept subtrees (no leaf rehashed). */
  pagesSwapped: number;
  hashes: number;
}

export function emptyStats(): ReplayStats {
  return { steps: 0, restores: 0, incrementalRestores: 0, restoredLeaves: 0, pagesSwapped: 0, hashes: 0 };
}

/**
 * Gets V8 to optimise the interpreter loop as a whole in a fresh thread: many
 * short calls first (bench/README.md "Warm-up": a first long call made V8
 * compile the loop on-stack-replaced, ~3x slower, and it could stay so; seen
 * here in workers too). Runs the machine forward (to `until` at most), so it
 * stays in its execution. Costs about 60k steps.
 */
export function warmUp(m: Machine, until = Number.MAX_SAFE_INTEGER): void {
  for (let i = 0; i < 1000 && m.status === "running" && m.steps < until; i++) m.runTo(Math.min(until, m.steps + 10));
  for (let i = 0; i < 50 && m.status === "running" && m.steps < until; i++) m.runTo(Math.min(until, m.steps + 1000));
}

/**
 * Steps per interpreter call: short enough that the optimised loop, once
 * compiled in the background, takes over at the next call (a call in progress
 * keeps the code it started with); long enough that the calls cost nothing.
 */
export const RUN_CALL_STEPS = 1 << 16;

/** m.runTo(until) in calls of RUN_CALL_STEPS steps. */
export function runInSlices(m: Machine, until: number): void {
  while (m.status === "running" && m.steps < until) m.runTo(Math.min(until, m.steps + RUN_CALL_STEPS));
}

/**
 * machineFor(target) run to step `n` (or to its terminal state), the
 * interpreter warmed up first: the same state as `machineFor(t)` + `runTo(n)`,
 * without the ~3x slower first run a cold process often gets.
 */
export function machineAt(target: ProveTarget, n: number): Machine {
  const m = machineFor(target);
  warmUp(m, n);
  runInSlices(m, n);
  return m;
}

/**
 * Bytes of memory page subtrees a Replayer keeps (about 2 x 64 KiB a page:
 * the leaves and the nodes above them); past it, no more are kept.
 */
export const PAGE_TREE_CACHE_BYTES = 64 * 1024 * 1024;

export class Replayer {
  readonly machine: Machine;
  private readonly commitment: StateCommitment;
  /**
   * Memory page subtrees kept per snapshot page (pages are shared by the
   * snapshots in which they are unchanged): a restore installs the subtree of
   * a page it has seen instead of rehashing the page's changed leaves. Moves
   * of a game come back to the same snapshots (each narrows the last one's
   * range), and so do the jobs of worker threads, which restore from far away.
   */
  private readonly pageTrees = new WeakMap<Uint8Array, MerkleTree>();
  private readonly pageTreesById = new Map<number, MerkleTree>();
  private pageTreeBytes = 0;
  /** True once the commitment has looked at the machine (its memory tree is built). */
  private hashed = false;
  private scratch = new Uint8Array(0);
  /** Pages of `scratch` that may be non-zero. */
  private scratchPages: number[] = [];
  private changed = new Int32Array(64);
  readonly stats: ReplayStats = emptyStats();

  constructor(target: ProveTarget) {
    // The machine starts at step 0 of the same execution as the snapshots.
    this.machine = machineFor(target);
    this.commitment = new StateCommitment(this.machine);
    const before = this.machine.steps;
    warmUp(this.machine);
    this.stats.steps += this.machine.steps - before;
  }

  /**
   * True until the first restore: the warm-up ran the machine from step 0 on
   * its own, which is not a state of the trace when the trace has a fault
   * (TraceOptions.fault), so the first position always starts from a snapshot.
   */
  private detached = true;

  /**
   * State hashes at `positions` (ascending, each >= snap.steps, all in the same
   * execution), starting from `snap` or from the machine's current state when
   * that is already between `snap` and the position (running on is cheaper).
   */
  hashPositions(snap: StoredSnapshot, positions: readonly number[], out: Uint8Array, outOffset: number): void {
    const m = this.machine;
    let o = outOffset;
    for (const p of positions) {
      if (this.detached || !(m.steps >= snap.steps && m.steps <= p)) this.restore(snap);
      const before = m.steps;
      runInSlices(m, p);
      this.stats.steps += m.steps - before;
      this.commitment.stateHashInto(out, o);
      this.hashed = true;
      this.stats.hashes++;
      o += 32;
    }
  }

  private pushChanged(n: number, leaf: number): number {
    if (n === this.changed.length) {
      const c = new Int32Array(n * 2);
      c.set(this.changed);
      this.changed = c;
    }
    this.changed[n] = leaf;
    return n + 1;
  }

  /** Puts the machine in the state of `snap`, keeping the memory tree when it can. */
  restore(snap: StoredSnapshot): void {
    const m = this.machine;
    const len = snap.memoryLength;
    if (this.scratch.length !== len) {
      this.scratch = new Uint8Array(len);
      this.scratchPages = [];
    }
    const mem = this.scratch;
    for (const i of this.scratchPages) mem.fill(0, i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
    for (const i of snap.nonZeroPages) mem.set(snap.pages[i]!, i * PAGE_SIZE);
    this.scratchPages = snap.nonZeroPages;

    // Incremental only if the commitment's tree describes the machine's memory
    // (up to the pending dirty marks) and memory does not shrink (the tree
    // assumes leaves past the memory's end are zero).
    const incremental = this.hashed && !m.changes.allDirty && len >= m.memory.length;
    let n = 0;
    const swapPages: number[] = [];
    const swapTrees: (MerkleTree | undefined)[] = [];
    if (incremental) {
      // The tree in sync with the current memory first: pages whose subtree is kept are
      // then swapped in, the others rehash the leaves that differ.
      this.commitment.memoryTree();
      const cur = m.memory;
      const pending = m.changes;
      for (let k = 0; k < pending.dirtyCount; k++) n = this.pushChanged(n, pending.dirtyList[k]!);
      const a = new Int32Array(cur.buffer, cur.byteOffset, cur.length / 4 /* not >>> 2: a 4 GiB memory has 2^32 bytes */);
      const b = new Int32Array(mem.buffer, mem.byteOffset, mem.length / 4);
      const words = LEAF_SIZE >>> 2;
      // Pages that may differ: those that may be non-zero in either memory.
      const mine = possiblyNonZeroPages(m);
      let offsets: number[];
      if (mine) {
        const set = new Set([...mine, ...snap.nonZeroPages]);
        offsets = [...set].sort((x, y) => x - y).map((p) => p * PAGE_SIZE).filter((o) => o < len);
      } else {
        offsets = [];
        for (let off = 0; off < len; off += PAGE_SIZE) offsets.push(off);
      }
      // Per page of the snapshot: 0 = all zero, else its id (-1: non-zero, no id).
      const idOf = new Int32Array(Math.ceil(len / PAGE_SIZE));
      snap.nonZeroPages.forEach((p, j) => (idOf[p] = snap.pageIds?.[j] ?? -1));
      for (const off of offsets) {
        const inOld = off < cur.length;
        if (inOld && bytesEqual(cur.subarray(off, off + PAGE_SIZE), mem.subarray(off, off + PAGE_SIZE))) continue;
        const zero = idOf[off / PAGE_SIZE] === 0;
        const kept = zero ? undefined : this.keptTree(snap, off / PAGE_SIZE, idOf[off / PAGE_SIZE]!);
        if (zero || kept !== undefined) {
          swapPages.push(off / PAGE_SIZE);
          swapTrees.push(kept);
          continue;
        }
        // A page that differs (or is new: compared with the zero leaves the tree assumes).
        for (let leaf = off / LEAF_SIZE, end = (off + PAGE_SIZE) / LEAF_SIZE; leaf < end; leaf++) {
          const w = leaf * words;
          let differs = false;
          for (let j = 0; j < words; j++) {
            if (b[w + j] !== (inOld ? a[w + j] : 0)) {
              differs = true;
              break;
            }
          }
          if (differs) n = this.pushChanged(n, leaf);
        }
      }
    }
    m.restore({ ...snap.state, memory: mem, nonZeroPages: snap.nonZeroPages });
    this.detached = false;
    this.stats.restores++;
    if (incremental) {
      m.changes.allDirty = false;
      for (let k = 0; k < n; k++) m.markDirty(this.changed[k]! * LEAF_SIZE, LEAF_SIZE);
      this.commitment.setMemoryPages(swapPages, swapTrees);
      this.stats.incrementalRestores++;
      this.stats.restoredLeaves += n;
      this.stats.pagesSwapped += swapPages.length;
    }
    this.keepPageTrees(snap);
  }

  /** Keeps the subtrees of the snapshot's pages not kept yet (the machine is in its state). */
  private keepPageTrees(snap: StoredSnapshot): void {
    if (this.pageTreeBytes >= PAGE_TREE_CACHE_BYTES) return;
    const nz = snap.nonZeroPages;
    const idAt = (j: number): number => snap.pageIds?.[j] ?? -1;
    if (nz.every((p, j) => this.keptTree(snap, p, idAt(j)) !== undefined)) return;
    // Hashes what the restore marked now (the next state hash would have).
    const tree = this.commitment.memoryTree();
    for (let j = 0; j < nz.length; j++) {
      const p = nz[j]!;
      const id = idAt(j);
      if (this.keptTree(snap, p, id) !== undefined) continue;
      const t = tree.pageCopy(p);
      if (!t) continue;
      if (this.pageTreeBytes + t.byteLength > PAGE_TREE_CACHE_BYTES) break;
      if (id > 0) this.pageTreesById.set(id, t);
      else this.pageTrees.set(snap.pages[p]!, t);
      this.pageTreeBytes += t.byteLength;
    }
    this.hashed = true;
  }

  /** The subtree kept for non-zero page p of `snap` with id `id` (-1: none, keyed by the page object). */
  private keptTree(snap: StoredSnapshot, p: number, id: number): MerkleTree | undefined {
    return id > 0 ? this.pageTreesById.get(id) : this.pageTrees.get(snap.pages[p]!);
  }
}
