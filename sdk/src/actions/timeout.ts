import type { Address } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type TimeoutParameters = WriteOptions & { game: Address; gameId: bigint };
export type TimeoutReturnType = WriteResult;
export type TimeoutErrorType = ContractRevertError | InvalidParameterError;

/** Anyone: ends a game against the party whose clock ran out. */
export async function timeout(client: WriteClient, params: TimeoutParameters): Promise<TimeoutReturnType> {
  return write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "timeout", args: [params.gameId], account: params.account });
}
