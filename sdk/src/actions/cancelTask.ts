import type { Address } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type CancelTaskParameters = WriteOptions & { market: Address; taskId: bigint };
export type CancelTaskReturnType = WriteResult;
export type CancelTaskErrorType = ContractRevertError | InvalidParameterError;

/** The poster, after the deadline, of a task open or whose claim expired: refunds the reward (credited; withdraw pays it). */
export async function cancelTask(client: WriteClient, params: CancelTaskParameters): Promise<CancelTaskReturnType> {
  return write(client, { contract: "TaskMarket", address: params.market, abi: taskMarketAbi, functionName: "cancelTask", args: [params.taskId], account: params.account });
}
