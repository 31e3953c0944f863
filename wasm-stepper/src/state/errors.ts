import { StepperError } from "../errors.ts";

/**
 * Why a one-step proof was rejected. Each code is mirrored by a Solidity custom
 * error of the same name in the on-chain prover.
 */
export type ProofErrorCode =
  | "BadVersion"
  | "BadHeader"
  | "Truncated"
  | "TrailingData"
  | "InstructionOutOfRange"
  | "BadCodeProof"
  | "BadInstruction"
  | "StackUnderflow"
  | "BadOperandProof"
  | "BadMerkleProof"
  | "BadSegmentProof"
  | "BadFrameProof"
  | "NoFrame"
  | "FunctionOutOfRange"
  | "HostFunctionCalled"
  | "LocalOutOfRange"
  | "GlobalOutOfRange"
  | "UnknownOpcode"
  | "BadMicroState"
  | "SegmentOutOfRange";

/** A one-step proof (witness) that is malformed or inconsistent with the claimed pre-state. */
export class ProofError extends StepperError {
  override name = "ProofError";
  readonly code: ProofErrorCode;
  constructor(code: ProofErrorCode, message: string) {
    super("invalid", `${code}: ${message}`);
    this.code = code;
  }
}
