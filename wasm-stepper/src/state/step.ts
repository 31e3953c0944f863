/**
 * One step on the state commitment: the semantics of spec/EXECUTION.md on a
 * Header and a witness (spec/STATE.md section 4). The implementation is in
 * osp/ (one file per family of instructions, each the twin of a Solidity
 * prover contract); this module is its public face.
 */
export { executeStep } from "./osp/entry.ts";
export {
  StepState,
  localsRootOf,
  rootOf,
  valueWord,
  eq as bytesEqual,
  type FrameItem,
  type MerkleItem,
  type OperandItem,
  type SegmentItem,
  type TreeKind,
  type WitnessSource,
} from "./osp/step-state.ts";
