/**
 * The state commitment and one-step proofs (spec/STATE.md): the header and its
 * encoding, the incremental commitment of a live machine, proofs and their
 * verifier, and traces for dissection. Imported as `@vwasm/wasm-stepper/state`.
 */
export * from "./header.ts";
export { StateCommitment } from "./commit.ts";
export { Prover, proveStep, stateHashAt, type StepProof, type ProveTarget } from "./prove.ts";
export { verifyStep } from "./verify.ts";
export * from "./step.ts";
export { ProofError, type ProofErrorCode } from "./errors.ts";
export { Trace, type TraceOptions } from "./trace.ts";
// task.ts's outputHash(bytes) is `outputHash` at the package root; here header.ts's outputHash(acc, partial, length) keeps the name.
export {
  moduleId,
  moduleFields,
  moduleFieldWords,
  MODULE_FIELD_NAMES,
  initialStateHash,
  initialHeader,
  inputRoot,
  outputHash as outputBytesHash,
  checkResult,
  headerWordsOf,
  effectiveMaxPages,
  liftRoot,
  TaskError,
  ResultError,
  type ModuleFields,
  type ResultClaim,
  type ResultErrorCode,
} from "./task.ts";
