/**
 * Commitment to a task's input bytes.
 *
 *   inputRoot(bytes) = keccak256("Input:" (6 ASCII bytes) || treeRoot (32) || uint64_be(length) (8))
 *
 * where treeRoot is the Merkle root (tree.ts: keccak256(left || right), zero-extended 32-byte
 * leaves) over the bytes, of depth inputTreeDepth(length) = ceil(log2(ceil(length / 32))): just
 * deep enough, so a proof of an input read costs as few siblings as the input allows (the state
 * commitment uses the same tree, spec/STATE.md section 1). 2^20 leaves of 32 bytes cap an input
 * at MAX_INPUT_BYTES = 32 MiB. The length is bound
 * separately because the tree alone cannot tell trailing zero bytes from absent ones, and
 * task.input_size / the input_read bounds check depend on the exact length. The "Input:" tag
 * keeps an input commitment from being confused with any other 32-byte root of the state.
 *
 * Bytes past `length` are zero in the tree by construction; a read is only ever proven inside
 * [0, length) because input_read traps outside it.
 */
import { keccak256 } from "../hash/keccak.ts";
import { MerkleTree, rootFromProof } from "./tree.ts";

/** Deepest input tree: 2^20 leaves. */
export const MAX_INPUT_TREE_DEPTH = 20;
/** Largest input: 2^20 leaves x 32 bytes = 32 MiB. */
export const MAX_INPUT_BYTES = 32 * 2 ** MAX_INPUT_TREE_DEPTH;

/** Depth of the tree of an input of `length` bytes. */
export function inputTreeDepth(length: number): number {
  let d = 0;
  while (2 ** d * 32 < length) d++;
  return d;
}
/** Domain tag hashed in front of the root. */
export const INPUT_TAG = new TextEncoder().encode("Input:");

/** A Merkle proof of one 32-byte input leaf, with the length the commitment binds. */
export interface InputProof {
  leafIndex: number;
  /** The leaf: input bytes [32 * leafIndex, +32), zero past the end. */
  leaf: Uint8Array;
  /** Siblings bottom-up, inputTreeDepth(length) x 32 bytes. */
  siblings: Uint8Array;
  /** Input length in bytes. */
  length: number;
}

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > MAX_INPUT_BYTES) {
    throw new RangeError(`input length ${length} out of range 0..${MAX_INPUT_BYTES}`);
  }
}

/** keccak256("Input:" || treeRoot || uint64_be(length)). */
export function inputCommitment(treeRoot: Uint8Array, length: number): Uint8Array {
  if (treeRoot.length !== 32) throw new RangeError(`tree root must be 32 bytes, got ${treeRoot.length}`);
  checkLength(length);
  const buf = new Uint8Array(INPUT_TAG.length + 32 + 8);
  buf.set(INPUT_TAG, 0);
  buf.set(treeRoot, INPUT_TAG.length);
  new DataView(buf.buffer).setBigUint64(INPUT_TAG.length + 32, BigInt(length), false);
  return keccak256(buf);
}

/** The input tree built once, for a commitment and any number of proofs. */
export class InputTree {
  readonly length: number;
  private readonly tree: MerkleTree;

  constructor(bytes: Uint8Array) {
    checkLength(bytes.length);
    this.length = bytes.length;
    this.tree = new MerkleTree(inputTreeDepth(bytes.length));
    this.tree.build(bytes);
  }

  /** The Merkle root of the bytes alone. */
  treeRoot(): Uint8Array {
    return this.tree.root();
  }

  /** The input commitment (inputRoot). */
  commitment(): Uint8Array {
    return inputCommitment(this.tree.root(), this.length);
  }

  proof(leafIndex: number): InputProof {
    return { leafIndex, leaf: this.tree.leaf(leafIndex), siblings: this.tree.proof(leafIndex), length: this.length };
  }
}

/** The commitment to an input. */
export function inputRoot(bytes: Uint8Array): Uint8Array {
  return new InputTree(bytes).commitment();
}

/** A proof of input leaf `leafIndex` (builds the tree; use InputTree for many proofs). */
export function inputProof(bytes: Uint8Array, leafIndex: number): InputProof {
  return new InputTree(bytes).proof(leafIndex);
}

/** Whether `proof` shows its leaf and length under the input commitment `root`. */
export function verifyInputProof(root: Uint8Array, proof: InputProof): boolean {
  if (root.length !== 32) return false;
  let computed: Uint8Array;
  try {
    computed = inputCommitment(rootFromProof(proof.leafIndex, proof.leaf, proof.siblings, inputTreeDepth(proof.length)), proof.length);
  } catch {
    return false;
  }
  for (let b = 0; b < 32; b++) if (computed[b] !== root[b]) return false;
  return true;
}
