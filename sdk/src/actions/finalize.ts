import type { Address } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type FinalizeParameters = WriteOptions & { market: Address; taskId: bigint };
export type FinalizeReturnType = WriteResult;
export type FinalizeErrorType = ContractRevertError | InvalidParameterError;

/** Anyone, after the challenge window with no game open: the result becomes final; reward and bond are credited to the solver (withdraw pays them). */
export async function finalize(client: WriteClient, params: FinalizeParameters): Promise<FinalizeReturnType> {
  return write(client, { contract: "TaskMarket", address: params.market, abi: taskMarketAbi, functionName: "finalize", args: [params.taskId], account: params.account });
}
