import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { keccak256HashWasm, toHex } from "../src/hash/keccak.ts";
import { MAX_TREE_DEPTH, MerkleTree, merkleRoot, rootFromProof, verifyProof, zeroHash } from "../src/merkle/tree.ts";
import { randomBytes } from "./helpers/random-bytes.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);


// ---- an independent reference: node by node through hash-wasm, no batching, no prefix trick ----
function H(a: Uint8Array, b: Uint8Array): Uint8Array {
  const m = new Uint8Array(64);
  m.set(a, 0);
  m.set(b, 32);
  return keccak256HashWasm(m);
}
const REF_ZERO: Uint8Array[] = [new Uint8Array(32)];
for (let k = 0; k < MAX_TREE_DEPTH; k++) REF_ZERO.push(H(REF_ZERO[k]!, REF_ZERO[k]!));

function refLeaf(data: Uint8Array, i: number): Uint8Array {
  const leaf = new Uint8Array(32);
  if (32 * i < data.length) leaf.set(data.subarray(32 * i, Math.min(32 * i + 32, data.length)));
  return leaf;
}

/** All levels of the full tree (2^depth leaves): only for small depths. */
function refLevels(data: Uint8Array, depth: number): Uint8Array[][] {
  const levels: Uint8Array[][] = [Array.from({ length: 2 ** depth }, (_, i) => refLeaf(data, i))];
  for (let k = 0; k < depth; k++) {
    const below = levels[k]!;
    levels.push(Array.from({ length: below.length / 2 }, (_, p) => H(below[2 * p]!, below[2 * p + 1]!)));
  }
  return levels;
}

/** Root of a deep tree: the full tree over the data's own span, then folded with zero hashes. */
function refRoot(data: Uint8Array, depth: number): Uint8Array {
  const leaves = Math.max(1, Math.ceil(data.length / 32));
  let small = 0;
  while (2 ** small < leaves) small++;
  let r = refLevels(data, small)[small]![0]!;
  for (let k = small; k < depth; k++) r = H(r, REF_ZERO[k]!);
  return r;
}

/** Siblings bottom-up, from the reference levels. */
function refProof(levels: Uint8Array[][], i: number): Uint8Array {
  const depth = levels.length - 1;
  const out = new Uint8Array(32 * depth);
  for (let k = 0; k < depth; k++) out.set(levels[k]![(i >> k) ^ 1]!, 32 * k);
  return out;
}

const built = (data: Uint8Array, depth: number) => {
  const t = new MerkleTree(depth);
  t.build(data);
  return t;
};

describe("zero hashes", () => {
  it("level 0 is 32 zero bytes and level k+1 = keccak(z_k || z_k), for all 33 levels", () => {
    expect(toHex(zeroHash(0))).toBe("00".repeat(32));
    expect(toHex(zeroHash(1))).toBe("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5");
    for (let k = 0; k <= MAX_TREE_DEPTH; k++) expect(toHex(zeroHash(k)), `level ${k}`).toBe(toHex(REF_ZERO[k]!));
  });

  it("returns copies (mutating one cannot corrupt the table)", () => {
    const z = zeroHash(3);
    z.fill(1);
    expect(toHex(zeroHash(3))).toBe(toHex(REF_ZERO[3]!));
  });

  it("rejects bad levels", () => {
    expect(() => zeroHash(33)).toThrow(RangeError);
    expect(() => zeroHash(-1)).toThrow(RangeError);
  });

  it("an empty tree's root is the zero hash of its depth, at every depth", () => {
    for (let d = 0; d <= MAX_TREE_DEPTH; d++) {
      expect(toHex(new MerkleTree(d).root()), `depth ${d}`).toBe(toHex(REF_ZERO[d]!));
      expect(toHex(merkleRoot(new Uint8Array(0), d))).toBe(toHex(REF_ZERO[d]!));
    }
  });
});

describe("MerkleTree.build", () => {
  it("depth 0: the root is the single zero-padded leaf", () => {
    const data = new Uint8Array([1, 2, 3]);
    const t = built(data, 0);
    expect(toHex(t.root())).toBe("010203" + "00".repeat(29));
    expect(t.proof(0).length).toBe(0);
    expect(verifyProof(t.root(), 0, t.leaf(0), new Uint8Array(0), 0)).toBe(true);
  });

  it("depth 1 over 64 bytes is keccak of the bytes; depth 2 by hand", () => {
    const data = randomBytes(64, 1);
    expect(toHex(built(data, 1).root())).toBe(toHex(keccak256HashWasm(data)));
    const d4 = randomBytes(128, 2);
    const want = H(keccak256HashWasm(d4.subarray(0, 64)), keccak256HashWasm(d4.subarray(64, 128)));
    expect(toHex(built(d4, 2).root())).toBe(toHex(want));
  });

  it("matches the full reference tree for every size up to the capacity (depths 1..5)", () => {
    for (let depth = 1; depth <= 5; depth++) {
      for (let len = 0; len <= 32 * 2 ** depth; len += depth <= 3 ? 1 : 7) {
        const data = randomBytes(len, 1000 * depth + len);
        expect(toHex(built(data, depth).root()), `depth ${depth} len ${len}`).toBe(toHex(refLevels(data, depth)[depth]![0]!));
      }
    }
  });

  it("a depth-27 tree over a 64 KiB memory: root folds the data's subtree with zero hashes", () => {
    const data = randomBytes(65536, 27);
    const t = built(data, 27);
    expect(toHex(t.root())).toBe(toHex(refRoot(data, 27)));
    // Only the used prefix is stored: about two copies of the data, not 2^27 leaves.
    expect(t.storedLeaves).toBe(2048);
    expect(t.byteLength).toBeLessThan(3 * 65536);
  });

  it("matches the reference over sizes that cross the batch scratch (several thousand pairs per level)", () => {
    const data = randomBytes(32 * 9000 + 5, 99);
    expect(toHex(built(data, 16).root())).toBe(toHex(refRoot(data, 16)));
  });

  it("rebuilding the same tree over other data (same and different sizes) gives that data's root", () => {
    const t = new MerkleTree(8);
    for (const [len, seed] of [
      [100, 1],
      [100, 2],
      [33, 3],
      [2000, 4],
      [0, 5],
      [8192, 6],
      [100, 7],
      [97, 8], // same leaf count, shorter last leaf: its tail must read as zero
    ] as const) {
      const data = randomBytes(len, seed);
      t.build(data);
      expect(toHex(t.root()), `len ${len}`).toBe(toHex(refRoot(data, 8)));
    }
  });

  it("rejects data larger than the tree and bad depths", () => {
    expect(() => built(new Uint8Array(65), 1)).toThrow(RangeError);
    expect(() => built(new Uint8Array(33), 0)).toThrow(RangeError);
    expect(() => new MerkleTree(33)).toThrow(RangeError);
    expect(() => new MerkleTree(-1)).toThrow(RangeError);
    expect(() => new MerkleTree(1.5)).toThrow(RangeError);
  });

  it("commits a snapshot: changing the data afterwards changes nothing until an update", () => {
    const data = randomBytes(1000, 3);
    const t = built(data, 6);
    const root = toHex(t.root());
    const leaf3 = toHex(t.leaf(3));
    data.fill(0);
    expect(toHex(t.root())).toBe(root);
    expect(toHex(t.leaf(3))).toBe(leaf3);
  });

  it("leaf() and node() read the committed nodes and zero hashes past the prefix", () => {
    const data = randomBytes(200, 4);
    const t = built(data, 5);
    const ref = refLevels(data, 5);
    for (let k = 0; k <= 5; k++) {
      for (let i = 0; i < 2 ** (5 - k); i++) expect(toHex(t.node(k, i)), `node ${k},${i}`).toBe(toHex(ref[k]![i]!));
    }
    expect(toHex(t.leaf(31))).toBe("00".repeat(32));
    expect(() => t.leaf(32)).toThrow(RangeError);
    expect(() => t.node(6, 0)).toThrow(RangeError);
  });
});

describe("proofs", () => {
  it("every leaf's proof equals the reference and verifies (depth 6, partial data)", () => {
    const data = randomBytes(32 * 37 + 11, 5);
    const t = built(data, 6);
    const ref = refLevels(data, 6);
    const root = t.root();
    for (let i = 0; i < 64; i++) {
      const p = t.proof(i);
      expect(toHex(p), `proof ${i}`).toBe(toHex(refProof(ref, i)));
      expect(verifyProof(root, i, t.leaf(i), p, 6)).toBe(true);
      expect(toHex(rootFromProof(i, t.leaf(i), p, 6))).toBe(toHex(root));
    }
  });

  it("a proof with any sibling byte, the leaf, the index, the root or the depth changed does not verify", () => {
    // All leaves distinct and non-zero, so no change can be absorbed by a symmetric pair.
    const depth = 7;
    const data = randomBytes(32 * 2 ** depth, 6);
    const t = built(data, depth);
    const root = t.root();
    for (const i of [0, 1, 63, 64, 127]) {
      const leaf = t.leaf(i);
      const p = t.proof(i);
      expect(verifyProof(root, i, leaf, p, depth)).toBe(true);
      for (let byte = 0; byte < p.length; byte++) {
        const bad = p.slice();
        bad[byte]! ^= 1 << byte % 8;
        expect(verifyProof(root, i, leaf, bad, depth), `sibling byte ${byte}`).toBe(false);
      }
      for (let byte = 0; byte < 32; byte++) {
        const bad = leaf.slice();
        bad[byte]! ^= 0x80;
        expect(verifyProof(root, i, bad, p, depth), `leaf byte ${byte}`).toBe(false);
      }
      expect(verifyProof(root, i ^ 1, leaf, p, depth)).toBe(false);
      expect(verifyProof(root, i ^ 64, leaf, p, depth)).toBe(false);
      const badRoot = root.slice();
      badRoot[31]! ^= 1;
      expect(verifyProof(badRoot, i, leaf, p, depth)).toBe(false);
      // Malformed: wrong depth, short/long proof, out-of-range index, short leaf or root.
      expect(verifyProof(root, i, leaf, p, depth - 1)).toBe(false);
      expect(verifyProof(root, i, leaf, p.subarray(0, p.length - 32), depth)).toBe(false);
      expect(verifyProof(root, i, leaf, new Uint8Array(p.length + 32), depth)).toBe(false);
      expect(verifyProof(root, i + 2 ** depth, leaf, p, depth)).toBe(false);
      expect(verifyProof(root, -1, leaf, p, depth)).toBe(false);
      expect(verifyProof(root, i, leaf.subarray(0, 31), p, depth)).toBe(false);
      expect(verifyProof(root.subarray(0, 31), i, leaf, p, depth)).toBe(false);
    }
    expect(() => rootFromProof(0, new Uint8Array(32), new Uint8Array(32), 2)).toThrow(RangeError);
  });

  it("proofs of zero leaves far past the data verify in a deep tree", () => {
    const data = randomBytes(65536, 7);
    const t = built(data, 27);
    const root = t.root();
    for (const i of [0, 2047, 2048, 4095, 1 << 20, 2 ** 27 - 1]) {
      const p = t.proof(i);
      expect(verifyProof(root, i, t.leaf(i), p, 27), `leaf ${i}`).toBe(true);
    }
    // The zero leaf past the data cannot be proven to hold anything else.
    const nonzero = new Uint8Array(32);
    nonzero[0] = 1;
    expect(verifyProof(root, 5000, nonzero, t.proof(5000), 27)).toBe(false);
  });

  it("depth 32 handles leaf indices at and above 2^31", () => {
    const data = randomBytes(100, 8);
    const t = built(data, 32);
    const root = t.root();
    expect(toHex(root)).toBe(toHex(refRoot(data, 32)));
    for (const i of [0, 3, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, 2 ** 32 - 1]) {
      const p = t.proof(i);
      expect(verifyProof(root, i, t.leaf(i), p, 32), `leaf ${i}`).toBe(true);
    }
    expect(verifyProof(root, 2 ** 31, t.leaf(0), t.proof(0), 32)).toBe(false);
    expect(() => t.proof(2 ** 32)).toThrow(RangeError);
  });

  it("proofInto and rootInto write at offsets", () => {
    const t = built(randomBytes(500, 9), 5);
    const buf = new Uint8Array(3 + 5 * 32);
    t.proofInto(7, buf, 3);
    expect(toHex(buf.subarray(3))).toBe(toHex(t.proof(7)));
    const r = new Uint8Array(40);
    t.rootInto(r, 8);
    expect(toHex(r.subarray(8))).toBe(toHex(t.root()));
  });
});

describe("MerkleTree.updateLeaves", () => {
  /** Every observable of `t` equals a fresh build over `data`. */
  function expectSameAsRebuild(t: MerkleTree, data: Uint8Array, label: string): void {
    const fresh = built(data, t.depth);
    expect(toHex(t.root()), `${label}: root`).toBe(toHex(fresh.root()));
    const leaves = Math.min(t.capacity, Math.max(t.storedLeaves, fresh.storedLeaves) + 2);
    for (let i = 0; i < leaves; i++) {
      expect(toHex(t.leaf(i)), `${label}: leaf ${i}`).toBe(toHex(fresh.leaf(i)));
      if (i % 5 === 0) expect(toHex(t.proof(i)), `${label}: proof ${i}`).toBe(toHex(fresh.proof(i)));
    }
  }

  it("re-hashes only dirty paths, with unsorted, repeated and clean indices", () => {
    const data = randomBytes(32 * 100, 10);
    const t = built(data, 8);
    data[32 * 5 + 3]! ^= 0xff;
    data[32 * 99]! ^= 0x01;
    data[32 * 0 + 31]! ^= 0x10;
    t.updateLeaves(data, new Int32Array([99, 5, 5, 42, 0, 99]), 6);
    expectSameAsRebuild(t, data, "small update");
  });

  it("reports whether a leaf changed: rewrites of the same bytes change nothing", () => {
    const data = randomBytes(32 * 64, 12);
    const t = built(data, 7);
    const root = toHex(t.root());
    // Every leaf listed, none changed: false, and the root stays.
    expect(t.updateLeaves(data, Int32Array.from({ length: 64 }, (_, i) => i), 64)).toBe(false);
    expect(t.updateLeaves(data, new Int32Array([3]), 1)).toBe(false);
    expect(toHex(t.root())).toBe(root);
    data[32 * 7 + 9]! ^= 0x40;
    expect(t.updateLeaves(data, new Int32Array([1, 7, 2]), 3)).toBe(true);
    expectSameAsRebuild(t, data, "one changed leaf among clean ones");
    expect(t.updateLeaves(data, new Int32Array([7]), 1)).toBe(false);
  });

  it("word-aligned and unaligned data give the same tree (dense runs and lone leaves)", () => {
    const backing = new Uint8Array(32 * 300 + 1);
    const aligned = backing.subarray(0, 32 * 300);
    const odd = new Uint8Array(32 * 300 + 1).subarray(1); // byteOffset 1: compared byte by byte
    const a = built(aligned, 10);
    const b = built(odd, 10);
    const rnd = randomBytes(32 * 300, 13);
    // A dense run (consecutive dirty parents at every level: copied as blocks), a few lone leaves.
    const dirty: number[] = [];
    for (let i = 40; i < 200; i++) dirty.push(i);
    dirty.push(3, 250, 299, 17);
    for (const i of dirty) {
      aligned.set(rnd.subarray(32 * i, 32 * i + 32), 32 * i);
      odd.set(rnd.subarray(32 * i, 32 * i + 32), 32 * i);
    }
    expect(a.updateLeaves(aligned, Int32Array.from(dirty), dirty.length)).toBe(true);
    expect(b.updateLeaves(odd, Int32Array.from(dirty), dirty.length)).toBe(true);
    expectSameAsRebuild(a, aligned, "aligned");
    expectSameAsRebuild(b, odd, "unaligned");
    expect(toHex(a.root())).toBe(toHex(b.root()));
  });

  it("only the first `count` indices are read", () => {
    const data = randomBytes(32 * 16, 11);
    const t = built(data, 4);
    const before = toHex(t.root());
    data[0]! ^= 1;
    data[32 * 3]! ^= 1;
    t.updateLeaves(data, new Int32Array([3, 0]), 1);
    // leaf 0 was not reported, so the tree still holds the old leaf 0
    const expected = data.slice();
    expected[0]! ^= 1;
    expect(toHex(t.root())).toBe(toHex(built(expected, 4).root()));
    expect(toHex(t.root())).not.toBe(before);
  });

  it("handles more dirty parents per level than one batch holds", () => {
    const data = randomBytes(32 * 2 ** 14, 12);
    const t = built(data, 15);
    const idx = new Int32Array(6000);
    for (let j = 0; j < idx.length; j++) {
      const i = (j * 2654435761) % 2 ** 14;
      idx[j] = i;
      data[32 * i + (j % 32)]! ^= 0x5a;
    }
    t.updateLeaves(data, idx, idx.length);
    expect(toHex(t.root())).toBe(toHex(built(data, 15).root()));
  });

  it("follows memory.grow (zero-filled growth needs no dirty entries) and writes into the new part", () => {
    let data = randomBytes(65536, 13);
    const t = built(data, 27);
    const grown = new Uint8Array(3 * 65536);
    grown.set(data);
    data = grown;
    t.updateLeaves(data, new Int32Array(0), 0);
    expect(t.storedLeaves).toBe(3 * 2048);
    expect(toHex(t.root())).toBe(toHex(refRoot(data, 27)));
    data[65536 + 100] = 7;
    data[3 * 65536 - 1] = 9;
    t.updateLeaves(data, new Int32Array([(65536 + 100) >> 5, (3 * 65536 - 1) >> 5]), 2);
    expect(toHex(t.root())).toBe(toHex(refRoot(data, 27)));
  });

  it("a dirty index past the data's end counts as a zero leaf (shrink)", () => {
    const data = randomBytes(32 * 10, 14);
    const t = built(data, 4);
    const shrunk = data.slice(0, 32 * 6 + 5);
    t.updateLeaves(shrunk, new Int32Array([6, 7, 8, 9]), 4);
    expect(toHex(t.root())).toBe(toHex(built(shrunk, 4).root()));
  });

  it("rejects out-of-range indices and counts without changing the tree", () => {
    const data = randomBytes(32 * 8, 15);
    const t = built(data, 3);
    const root = toHex(t.root());
    data[0]! ^= 1;
    expect(() => t.updateLeaves(data, new Int32Array([0, 8]), 2)).toThrow(RangeError);
    expect(() => t.updateLeaves(data, new Int32Array([0, -1]), 2)).toThrow(RangeError);
    expect(() => t.updateLeaves(data, new Int32Array([0]), 2)).toThrow(RangeError);
    expect(() => t.updateLeaves(new Uint8Array(32 * 9), new Int32Array([0]), 1)).toThrow(RangeError);
    expect(toHex(t.root())).toBe(root);
  });

  it("incremental updates equal a full rebuild after any writes and growth (property)", () => {
    const op = fc.oneof(
      // a write of random bytes at a random position (as a fraction of the current size)
      fc.record({ kind: fc.constant("write" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 100 }) }),
      // growth by a number of 32-byte units or odd byte counts, zero-filled like memory.grow
      fc.record({ kind: fc.constant("grow" as const), by: fc.integer({ min: 0, max: 700 }) }),
      // commit what has been written so far
      fc.record({ kind: fc.constant("commit" as const) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        fc.array(op, { maxLength: 25 }),
        (depth, initialFraction, seed, ops) => {
          const capacityBytes = 32 * 2 ** depth;
          let data = randomBytes(Math.floor(initialFraction * Math.min(capacityBytes, 4000)), seed);
          const t = built(data, depth);
          let dirty: number[] = [];
          const commit = () => {
            // shuffle and add repeats: order and duplicates must not matter
            const list = [...dirty, ...dirty.slice(0, 3)];
            const rnd = randomBytes(list.length, seed);
            for (let j = list.length - 1; j > 0; j--) {
              const r = rnd[j]! % (j + 1);
              [list[j], list[r]] = [list[r]!, list[j]!];
            }
            t.updateLeaves(data, Int32Array.from(list), list.length);
            dirty = [];
            expect(toHex(t.root())).toBe(toHex(built(data, depth).root()));
          };
          for (const o of ops) {
            if (o.kind === "write") {
              if (data.length === 0) continue;
              const start = Math.min(data.length - 1, Math.floor(o.at * data.length));
              const bytes = o.bytes.subarray(0, data.length - start);
              data.set(bytes, start);
              for (let i = start >> 5; i <= (start + bytes.length - 1) >> 5; i++) dirty.push(i);
            } else if (o.kind === "grow") {
              const newLen = Math.min(capacityBytes, data.length + o.by);
              const grown = new Uint8Array(newLen);
              grown.set(data);
              data = grown;
            } else {
              commit();
            }
          }
          commit();
          expectSameAsRebuild(t, data, `depth ${depth}`);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
