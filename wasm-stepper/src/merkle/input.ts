/**
 * The input root of the state (spec/STATE.md section 1, "input"): the Merkle root over the
 * task input's bytes in 32-byte leaves (tree.ts: keccak256(left || right), the last leaf
 * zero-padded), at depth inputTreeDepth(length) = depthFor(ceil(length / 32)): just deep
 * enough, so a proof of an input read costs as few siblings as the input allows. The state
 * commits the length beside it (`w(inputLength)` in staticHash), which tells trailing zero
 * bytes from absent ones. 2^maxInputTreeDepth leaves of 32 bytes cap an input (32 MiB).
 * This is the one input-root function: the state commitment (src/state/commit.ts) uses it.
 *
 * Bytes past `length` are zero in the tree by construction; a read is only ever proven inside
 * [0, length) because input_read traps outside it.
 */
import spec from "../../spec/state.json" with { type: "json" };
import { MerkleTree, rootFromProof } from "./tree.ts";

/** Deepest input tree (spec/state.json widths.maxInputTreeDepth): 2^20 leaves. */
export const MAX_INPUT_TREE_DEPTH = spec.widths.maxInputTreeDepth;
/** Largest input: 2^20 leaves x 32 bytes = 32 MiB. */
export const MAX_INPUT_BYTES = spec.widths.leafBytes * 2 ** MAX_INPUT_TREE_DEPTH;

/** Depth of the tree of an input of `length` bytes. */
export function inputTreeDepth(length: number): number {
  let d = 0;
  while (2 ** d * spec.widths.leafBytes < length) d++;
  return d;
}

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

  /** The input root (spec/STATE.md section 1). */
  root(): Uint8Array {
    return this.tree.root();
  }

  /** The tree itself (proofs of leaves for one-step proofs). */
  merkle(): MerkleTree {
    return this.tree;
  }

  proof(leafIndex: number): InputProof {
    return { leafIndex, leaf: this.tree.leaf(leafIndex), siblings: this.tree.proof(leafIndex), length: this.length };
  }
}

/** The input root of `bytes` (spec/STATE.md section 1). */
export function inputRoot(bytes: Uint8Array): Uint8Array {
  return new InputTree(bytes).root();
}

/** A proof of input leaf `leafIndex` (builds the tree; use InputTree for many proofs). */
export function inputProof(bytes: Uint8Array, leafIndex: number): InputProof {
  return new InputTree(bytes).proof(leafIndex);
}

/** Whether `proof` shows its leaf under the input root `root` of an input of `proof.length` bytes. */
export function verifyInputProof(root: Uint8Array, proof: InputProof): boolean {
  if (root.length !== 32) return false;
  let computed: Uint8Array;
  try {
    checkLength(proof.length);
    computed = rootFromProof(proof.leafIndex, proof.leaf, proof.siblings, inputTreeDepth(proof.length));
  } catch {
    return false;
  }
  for (let b = 0; b < 32; b++) if (computed[b] !== root[b]) return false;
  return true;
}
