import type { Address } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type ProveStepParameters = WriteOptions & { game: Address; gameId: bigint; proof: `0x${string}` };
export type ProveStepReturnType = WriteResult;
export type ProveStepErrorType = ContractRevertError | InvalidParameterError;

/** Anyone, once the range is one step: executes that step on-chain from the agreed pre-state (the proof from the stepper's proveStep). */
export async function proveStep(client: WriteClient, params: ProveStepParameters): Promise<ProveStepReturnType> {
  return write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "proveStep", args: [params.gameId, params.proof], account: params.account });
}
