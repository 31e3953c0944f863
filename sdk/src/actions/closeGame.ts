import type { Address } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type CloseGameParameters = WriteOptions & { game: Address; gameId: bigint };
export type CloseGameReturnType = WriteResult;
export type CloseGameErrorType = ContractRevertError | InvalidParameterError;

/** Anyone: closes a game whose result already fell to another game (bonds returned). */
export async function closeGame(client: WriteClient, params: CloseGameParameters): Promise<CloseGameReturnType> {
  return write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "close", args: [params.gameId], account: params.account });
}
