import type { Address } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";

export type GetPositionsParameters = { game: Address; lo: bigint; hi: bigint };
export type GetPositionsReturnType = readonly bigint[];
export type GetPositionsErrorType = ContractRevertError;

/** The interior positions of [lo, hi] a bisection posts state hashes for (the contract's own split). */
export async function getPositions(client: ReadClient, params: GetPositionsParameters): Promise<GetPositionsReturnType> {
  return read(() => readContract(client, { address: params.game, abi: disputeGameAbi, functionName: "positions", args: [params.lo, params.hi] }), "DisputeGame", "positions");
}
