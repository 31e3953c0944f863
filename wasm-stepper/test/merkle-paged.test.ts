/**
 * The paged memory tree (src/merkle/paged.ts): the same root, leaves and proofs
 * as the dense MerkleTree, and a cost that follows the pages written
 * (deterministic counts: pages materialised, bytes held), not the memory size.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { PagedMemoryTree } from "../src/merkle/paged.ts";
import { MerkleTree, rootFromProof, zeroHash } from "../src/merkle/tree.ts";
import { loadModule } from "../src/load.ts";
import { Machine } from "../src/machine.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { Prover } from "../src/state/prove.ts";
import { verifyStep } from "../src/state/verify.ts";

const PAGE = 65536;

/** Root of the table's entries as spec/STATE.md defines its leaves: w(f), null = 0xffffffff. */
function tableRoot(table: Int32Array): Uint8Array {
  const bytes = new Uint8Array(32 * table.length);
  const dv = new DataView(bytes.buffer);
  table.forEach((f, i) => dv.setUint32(32 * i + 28, f >>> 0));
  const t = new MerkleTree(Math.ceil(Math.log2(table.length)));
  t.build(bytes);
  return t.root();
}
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 60);

describe("PagedMemoryTree", () => {
  it("equals the dense tree after builds and random writes (including zero writes and untouched pages)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 11, max: 15 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (depth, writes, prebuilt) => {
          const pages = 2 ** (depth - 11);
          const mem = new Uint8Array(pages * PAGE);
          if (prebuilt) mem.set([1, 2, 3], (pages - 1) * PAGE + 100);
          const dense = new MerkleTree(depth);
          const paged = new PagedMemoryTree(depth, 11);
          dense.build(mem);
          paged.build(mem, prebuilt ? [pages - 1] : []);
          expect(paged.root()).toEqual(dense.root());
          // Batches of writes, each committed with its dirty leaves.
          for (let b = 0; b < writes.length; b += 7) {
            const leaves: number[] = [];
            for (const [pos, v, zero] of writes.slice(b, b + 7)) {
              const a = pos % mem.length;
              mem[a] = zero ? 0 : v;
              leaves.push(a >>> 5);
            }
            const idx = Int32Array.from(leaves);
            const before = paged.root();
            const denseChanged = dense.updateLeaves(mem, idx, idx.length);
            // Both report whether a leaf's bytes changed; when none did, the root is the same.
            expect(paged.updateLeaves(mem, idx, idx.length)).toBe(denseChanged);
            expect(paged.root()).toEqual(dense.root());
            if (!denseChanged) expect(paged.root()).toEqual(before);
          }
          for (const [pos] of writes.slice(0, 5)) {
            const i = (pos % mem.length) >>> 5;
            expect(paged.leaf(i)).toEqual(dense.leaf(i));
            expect(paged.proof(i)).toEqual(dense.proof(i));
          }
          // A full build with every page a candidate gives the same root.
          const again = new PagedMemoryTree(depth, 11);
          again.build(mem);
          expect(again.root()).toEqual(dense.root());
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("a 65,536-page memory with one non-zero leaf holds one page: root and proof from the zero hashes", () => {
    const depth = 27;
    const empty = new PagedMemoryTree(depth, 11);
    empty.build(new Uint8Array(0), []);
    expect(empty.root()).toEqual(zeroHash(depth));
    expect(empty.materialisedPages).toBe(0);
    // A memory's leading two pages, leaf 5 of page 1 non-zero (the rest of the 4 GiB is zero).
    const t = new PagedMemoryTree(depth, 11);
    const leafBytes = new Uint8Array(32).fill(7);
    const bytes = new Uint8Array(2 * PAGE);
    bytes.set(leafBytes, PAGE + 32 * 5);
    t.build(bytes, [0, 1]);
    expect(t.materialisedPages).toBe(1);
    const i = 2048 + 5;
    const zeros = new Uint8Array(32 * depth);
    for (let k = 0; k < depth; k++) zeros.set(zeroHash(k), 32 * k);
    expect(t.root()).toEqual(rootFromProof(i, leafBytes, zeros, depth));
    expect(t.proof(i)).toEqual(zeros);
    expect(t.leaf(2 ** depth - 1)).toEqual(new Uint8Array(32));
    // Bytes held: one page's tree (64 KiB of leaves, 64 KiB of nodes) and two page roots with their upper levels.
    expect(t.byteLength).toBeLessThan(2 * PAGE + 2048);
  });

  it("a task on a 65,536-page memory: the commitment materialises only the pages written, and proofs verify", async () => {
    const cm = await loadModule(`(module (memory 65536)
      (data (i32.const 3000000000) "\\01\\02")
      (func (export "run")
        (i64.store (i32.const 4294967288) (i64.const -1))
        (i32.store (i32.const 1048576) (i32.const 5))
        (i32.store (i32.const 65540) (i32.const 0))))`);
    const m = Machine.forTask(cm, { limits: { maxMemoryPages: 65536 } });
    const c = new StateCommitment(m);
    const h0 = c.stateHash();
    // The data segment's page only (a zero store leaves a page absent).
    expect(c.memoryTree().materialisedPages).toBe(1);
    const prover = new Prover(m);
    let steps = 0;
    while (m.status === "running") {
      const before = new StateCommitment(m).stateHash();
      const p = prover.proveNext();
      expect(p.before).toEqual(before);
      expect(verifyStep(p.before, p.proof)).toEqual(p.after);
      steps++;
    }
    expect(steps).toBeGreaterThan(3);
    const c2 = new StateCommitment(m);
    expect(c2.stateHash()).not.toEqual(h0);
    expect(c2.memoryTree().materialisedPages).toBe(3);
    // Three page trees (at most 128 KiB each) and 96 bytes per page up to the highest written one.
    expect(c2.memoryTree().byteLength).toBeLessThan(3 * 2 * PAGE + 96 * 65536);
  });

  it("the table tree is updated per written entry, not rebuilt per step (2^16 entries, table.copy stepped)", async () => {
    const cm = await loadModule(`(module (table 65536 funcref) (elem (i32.const 0) $f $f $f)
      (func $f)
      (func (export "run") (table.copy (i32.const 60000) (i32.const 0) (i32.const 3))
        (table.copy (i32.const 1) (i32.const 60000) (i32.const 3))))`);
    const m = Machine.forTask(cm);
    const c = new StateCommitment(m);
    c.stateHash();
    const tree = c.tableTree();
    let steps = 0;
    while (m.status === "running") {
      m.step();
      const h = c.stateHash();
      expect(h.length).toBe(32);
      // The same tree object throughout (no rebuild), with the root of the table's words built afresh.
      expect(c.tableTree()).toBe(tree);
      expect(tree.root()).toEqual(tableRoot(m.table));
      steps++;
    }
    expect(steps).toBeGreaterThan(6);
    expect(Array.from(m.table.subarray(0, 5))).toEqual([0, 0, 0, 0, -1]);
  });
});
