import { zeroAddress, type Address } from "viem";
import { readContract } from "viem/actions";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";

export type GetWithdrawableParameters = { market: Address; account: Address; token?: Address };
export type GetWithdrawableReturnType = bigint;
export type GetWithdrawableErrorType = ContractRevertError;

/** The balance of `token` (default ETH) that `account` can withdraw from the market. */
export async function getWithdrawable(client: ReadClient, params: GetWithdrawableParameters): Promise<GetWithdrawableReturnType> {
  return read(() => readContract(client, { address: params.market, abi: taskMarketAbi, functionName: "withdrawable", args: [params.account, params.token ?? zeroAddress] }), "TaskMarket", "withdrawable");
}
