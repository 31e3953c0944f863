import type { Address } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type PickParameters = WriteOptions & { game: Address; gameId: bigint; hashes: readonly `0x${string}`[]; index: bigint };
export type PickReturnType = WriteResult;
export type PickErrorType = ContractRevertError | InvalidParameterError;

/** The challenger's move: re-supplies the last bisection's hashes and picks the segment whose end it disputes. */
export async function pick(client: WriteClient, params: PickParameters): Promise<PickReturnType> {
  return write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "pick", args: [params.gameId, params.hashes, params.index], account: params.account });
}
