import { describe, it, expect } from "vitest";
import { keccak256HashWasm, toHex } from "../src/hash/keccak.ts";
import {
  MAX_INPUT_TREE_DEPTH,
  inputTreeDepth,
  InputTree,
  MAX_INPUT_BYTES,
  inputProof,
  inputRoot,
  verifyInputProof,
} from "../src/merkle/input.ts";
import { merkleRoot, verifyProof } from "../src/merkle/tree.ts";
import { loadModule, Machine } from "../src/index.ts";
import { StateCommitment } from "../src/state/commit.ts";
import { randomBytes } from "./helpers/random-bytes.ts";


function H(a: Uint8Array, b: Uint8Array): Uint8Array {
  const m = new Uint8Array(64);
  m.set(a, 0);
  m.set(b, 32);
  return keccak256HashWasm(m);
}

/** Independent reference: leaves hashed pairwise up to the data's span, then zero-folded to depth 20. */
function refTreeRoot(data: Uint8Array): Uint8Array {
  let level: Uint8Array[] = [];
  const leaves = Math.max(1, Math.ceil(data.length / 32));
  for (let i = 0; i < leaves; i++) {
    const leaf = new Uint8Array(32);
    leaf.set(data.subarray(32 * i, Math.min(32 * i + 32, data.length)));
    level.push(leaf);
  }
  let zero: Uint8Array = new Uint8Array(32);
  for (let k = 0; k < inputTreeDepth(data.length); k++) {
    const next: Uint8Array[] = [];
    for (let p = 0; p < Math.ceil(level.length / 2); p++) next.push(H(level[2 * p]!, level[2 * p + 1] ?? zero));
    level = next;
    zero = H(zero, zero);
  }
  return level[0]!;
}

describe("input root (spec/STATE.md section 1)", () => {
  it("is at most 2^20 leaves of 32 bytes (32 MiB), its depth just enough for the input", () => {
    expect(MAX_INPUT_TREE_DEPTH).toBe(20);
    expect(MAX_INPUT_BYTES).toBe(32 * 1024 * 1024);
    expect([0, 1, 32, 33, 64, 65, 1000, MAX_INPUT_BYTES].map(inputTreeDepth)).toEqual([0, 0, 0, 1, 1, 2, 5, 20]);
  });

  it("equals the Merkle root over the bytes computed independently", () => {
    for (const [len, seed] of [
      [0, 1],
      [1, 2],
      [5, 3],
      [32, 4],
      [33, 5],
      [1000, 6],
      [70000, 7],
    ] as const) {
      const data = randomBytes(len, seed);
      expect(toHex(inputRoot(data)), `length ${len}`).toBe(toHex(refTreeRoot(data)));
      expect(toHex(new InputTree(data).root()), `length ${len}`).toBe(toHex(refTreeRoot(data)));
    }
  });

  it("is the state's inputRoot: the header of a machine with that input carries it", async () => {
    const cm = await loadModule(`(module (func (export "run")))`);
    for (const len of [0, 5, 33, 1000]) {
      const data = randomBytes(len, 20 + len);
      const h = new StateCommitment(Machine.forTask(cm, { input: data })).header();
      expect(toHex(h.inputRoot), `length ${len}`).toBe(toHex(inputRoot(data)));
      expect(h.inputLength).toBe(len);
    }
  });

  it("does not bind the length (the state commits it beside the root): trailing zero bytes give the same root", () => {
    const a = randomBytes(40, 8);
    const b = new Uint8Array(41);
    b.set(a);
    expect(toHex(inputRoot(a))).toBe(toHex(inputRoot(b)));
    expect(toHex(inputRoot(a))).toBe(toHex(merkleRoot(a, inputTreeDepth(40))));
  });

  it("rejects an input over the maximum", () => {
    expect(() => inputRoot(new Uint8Array(MAX_INPUT_BYTES + 1))).toThrow(RangeError);
  });
});

describe("input proofs", () => {
  it("verify for leaves inside, at the end of, and past the input", () => {
    const data = randomBytes(1000, 10);
    const root = inputRoot(data);
    const t = new InputTree(data);
    for (const i of [0, 1, 30, 31]) {
      const p = t.proof(i);
      expect(p.length).toBe(1000);
      expect(p.siblings.length).toBe(32 * inputTreeDepth(1000));
      expect(verifyInputProof(root, p), `leaf ${i}`).toBe(true);
      // The tree part is an ordinary Merkle proof under the tree root.
      expect(verifyProof(t.root(), i, p.leaf, p.siblings, inputTreeDepth(1000))).toBe(true);
    }
    // leaf 31 holds bytes 992..999 then zeros
    const last = t.proof(31).leaf;
    expect(toHex(last)).toBe(toHex(data.subarray(992, 1000)) + "00".repeat(24));
    expect(toHex(inputProof(data, 7).siblings)).toBe(toHex(t.proof(7).siblings));
  });

  it("do not verify with the leaf, a sibling, the index or the length changed", () => {
    const data = randomBytes(32 * 64, 11);
    const root = inputRoot(data);
    const p = inputProof(data, 5);
    expect(verifyInputProof(root, p)).toBe(true);
    const badLeaf = p.leaf.slice();
    badLeaf[0]! ^= 1;
    expect(verifyInputProof(root, { ...p, leaf: badLeaf })).toBe(false);
    for (let k = 0; k < inputTreeDepth(data.length); k++) {
      const bad = p.siblings.slice();
      bad[32 * k + (k % 32)]! ^= 4;
      expect(verifyInputProof(root, { ...p, siblings: bad }), `sibling ${k}`).toBe(false);
    }
    expect(verifyInputProof(root, { ...p, leafIndex: 4 })).toBe(false);
    expect(verifyInputProof(root, { ...p, length: 32 * 128 + 1 })).toBe(false); // a deeper tree
    expect(verifyInputProof(root, { ...p, length: -1 })).toBe(false);
    expect(verifyInputProof(root, { ...p, siblings: p.siblings.subarray(32) })).toBe(false);
    expect(verifyInputProof(root.subarray(1), p)).toBe(false);
  });

  it("an empty input proves its (zero) leaf 0", () => {
    const root = inputRoot(new Uint8Array(0));
    const p = inputProof(new Uint8Array(0), 0);
    expect(toHex(p.leaf)).toBe("00".repeat(32));
    expect(verifyInputProof(root, p)).toBe(true);
  });
});

