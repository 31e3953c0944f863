/**
 * verifyStep(before, proof) -> after: recomputes the post-state hash of one
 * step from the witness alone (spec/STATE.md section 4), as the Solidity
 * prover does. Rejects malformed or inconsistent witnesses with ProofError.
 */
import { headerHash } from "./header.ts";
import { ProofError } from "./errors.ts";
import { executeStep, bytesEqual } from "./step.ts";
import { ProofReader } from "./proof-reader.ts";

export { ProofReader } from "./proof-reader.ts";

/**
 * Verifies one step: checks that the proof's header hashes to `before`, runs
 * the step on the witness and returns the post-state hash.
 */
export function verifyStep(before: Uint8Array, proof: Uint8Array): Uint8Array {
  const r = new ProofReader(proof);
  const pre = r.header();
  if (!bytesEqual(headerHash(pre), before)) throw new ProofError("BadHeader", "the proof's state does not hash to the claimed pre-state");
  const post = executeStep(pre, r);
  if (!r.done) throw new ProofError("TrailingData", "words left over after the step");
  return headerHash(post);
}
