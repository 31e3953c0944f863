import { describe, it, expect } from "vitest";
import { keccak256HashWasm, toHex } from "../src/hash/keccak.ts";
import {
  MAX_INPUT_TREE_DEPTH,
  inputTreeDepth,
  InputTree,
  MAX_INPUT_BYTES,
  inputCommitment,
  inputProof,
  inputRoot,
  verifyInputProof,
} from "../src/merkle/input.ts";
import { merkleRoot, verifyProof } from "../src/merkle/tree.ts";
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

/** keccak256("Input:" || root || uint64 big-endian length), spelled out byte by byte. */
function refCommitment(data: Uint8Array): Uint8Array {
  const tag = [0x49, 0x6e, 0x70, 0x75, 0x74, 0x3a]; // "Input:"
  const len = data.length;
  const lenBytes = [0, 0, 0, 0, (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255];
  return keccak256HashWasm(new Uint8Array([...tag, ...refTreeRoot(data), ...lenBytes]));
}

// inputRoot("") and inputRoot(01 02 03 04 05).
const EMPTY_INPUT_ROOT = "4db582edb66bf22e2f76a672ccbafa0887311e29436bcce161e202f94fda4a1e";
const INPUT_12345_ROOT = "bcf169e92e0581fbf7616bf920230752700cde6877680deeb7198e91c92caa3e";

describe("input commitment", () => {
  it("is at most 2^20 leaves of 32 bytes (32 MiB), its depth just enough for the input", () => {
    expect(MAX_INPUT_TREE_DEPTH).toBe(20);
    expect(MAX_INPUT_BYTES).toBe(32 * 1024 * 1024);
    expect([0, 1, 32, 33, 64, 65, 1000, MAX_INPUT_BYTES].map(inputTreeDepth)).toEqual([0, 0, 0, 1, 1, 2, 5, 20]);
  });

  it("equals keccak256('Input:' || root || uint64_be(length)) computed independently", () => {
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
      expect(toHex(new InputTree(data).treeRoot()), `tree root, length ${len}`).toBe(toHex(refTreeRoot(data)));
      expect(toHex(inputRoot(data)), `length ${len}`).toBe(toHex(refCommitment(data)));
    }
  });

  it("pins the commitment of two fixed inputs (fixtures for other implementations, e.g. the contract)", () => {
    for (const [data, want] of [
      [new Uint8Array(0), EMPTY_INPUT_ROOT],
      [new Uint8Array([1, 2, 3, 4, 5]), INPUT_12345_ROOT],
    ] as const) {
      expect(toHex(refCommitment(data))).toBe(want);
      expect(toHex(inputRoot(data))).toBe(want);
    }
  });

  it("binds the length: trailing zero bytes change the commitment but not the tree root", () => {
    const a = randomBytes(40, 8);
    const b = new Uint8Array(41);
    b.set(a);
    expect(toHex(merkleRoot(a, inputTreeDepth(40)))).toBe(toHex(merkleRoot(b, inputTreeDepth(41))));
    expect(toHex(inputRoot(a))).not.toBe(toHex(inputRoot(b)));
    expect(toHex(inputRoot(new Uint8Array(0)))).not.toBe(toHex(inputRoot(new Uint8Array(32))));
  });

  it("is not the bare tree root (the tag separates it from other roots)", () => {
    const data = randomBytes(64, 9);
    const t = new InputTree(data);
    expect(toHex(t.commitment())).not.toBe(toHex(t.treeRoot()));
    expect(toHex(t.commitment())).toBe(toHex(inputCommitment(t.treeRoot(), 64)));
  });

  it("rejects an input over the maximum, and bad lengths or roots", () => {
    expect(() => inputRoot(new Uint8Array(MAX_INPUT_BYTES + 1))).toThrow(RangeError);
    expect(() => inputCommitment(new Uint8Array(32), -1)).toThrow(RangeError);
    expect(() => inputCommitment(new Uint8Array(31), 0)).toThrow(RangeError);
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
      expect(verifyProof(t.treeRoot(), i, p.leaf, p.siblings, inputTreeDepth(1000))).toBe(true);
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
    expect(verifyInputProof(root, { ...p, length: p.length + 1 })).toBe(false);
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

