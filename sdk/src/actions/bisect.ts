import type { Address } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type BisectParameters = WriteOptions & { game: Address; gameId: bigint; hashes: readonly `0x${string}`[] };
export type BisectReturnType = WriteResult;
export type BisectErrorType = ContractRevertError | InvalidParameterError;

/** The solver's move: the state hashes at the interior positions of the game's range (getPositions). */
export async function bisect(client: WriteClient, params: BisectParameters): Promise<BisectReturnType> {
  return write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "bisect", args: [params.gameId, params.hashes], account: params.account });
}
