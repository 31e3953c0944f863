/**
 * Checking a result claim at native speed: the task re-executed on the native engine with its final
 * state hash (wasm-stepper nativeFinalState), compared with the claim's status, trap, step count,
 * output hash and final state hash. The final state hash commits to all the others; the rest names
 * what differs, for people.
 */
import { nativeFinalState, STATUS_CODE, TRAP_CODE, type CompiledModule, type FinalStateThread } from "@vwasm/wasm-stepper";
import { outputHash, type Limits } from "@vwasm/sdk";
import { limitsOf } from "@vwasm/solver";
import { bytesToHex } from "viem";
import type { ClaimRecord } from "./store.ts";

export interface ClaimCheck {
  agree: boolean;
  differences: string[];
  mine: NonNullable<ClaimRecord["mine"]>;
}

/** Checks a claim; with `thread` (a FinalStateThread) the task runs in its worker thread. */
export async function checkClaim(cm: CompiledModule, input: Uint8Array, limits: Limits, claim: ClaimRecord["claim"], thread?: FinalStateThread): Promise<ClaimCheck> {
  const t = performance.now();
  const opts = { input, limits: limitsOf(limits) };
  const f = thread ? await thread.run(cm, opts) : nativeFinalState(cm, opts);
  const ms = performance.now() - t;
  const r = f.result;
  const mine = {
    status: r.status,
    ...(r.trap ? { trap: r.trap } : {}),
    steps: r.steps,
    finalStateHash: bytesToHex(f.stateHash),
    outputHash: outputHash(r.output),
    engine: f.engine,
    ms,
  };
  const differences: string[] = [];
  const statusCode = (STATUS_CODE as Record<string, number>)[r.status];
  const trapCode = r.trap ? (TRAP_CODE as Record<string, number>)[r.trap] : 0;
  if (claim.status !== statusCode) differences.push(`status ${claim.status} claimed, ${statusCode} (${r.status}) computed`);
  if (claim.trapCode !== trapCode) differences.push(`trap code ${claim.trapCode} claimed, ${trapCode} computed`);
  if (BigInt(claim.steps) !== BigInt(r.steps)) differences.push(`${claim.steps} steps claimed, ${r.steps} computed`);
  if (claim.outputHash.toLowerCase() !== mine.outputHash.toLowerCase()) differences.push("output differs");
  if (claim.finalStateHash.toLowerCase() !== mine.finalStateHash.toLowerCase()) differences.push("final state hash differs");
  return { agree: differences.length === 0, differences, mine };
}
