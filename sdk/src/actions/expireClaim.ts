import type { Address } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type ExpireClaimParameters = WriteOptions & { market: Address; taskId: bigint };
export type ExpireClaimReturnType = WriteResult;
export type ExpireClaimErrorType = ContractRevertError | InvalidParameterError;

/** Anyone: forfeits the bond of a claimer whose solve window passed and reopens the task. */
export async function expireClaim(client: WriteClient, params: ExpireClaimParameters): Promise<ExpireClaimReturnType> {
  return write(client, { contract: "TaskMarket", address: params.market, abi: taskMarketAbi, functionName: "expireClaim", args: [params.taskId], account: params.account });
}
