import { decodeEventLog, zeroAddress, type Address } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type WithdrawParameters = WriteOptions & {
  market: Address;
  /** The token to withdraw (default ETH, address(0)). */
  token?: Address;
};
export type WithdrawReturnType = WriteResult & { amount: bigint };
export type WithdrawErrorType = ContractRevertError | InvalidParameterError;

/** Pays out the caller's whole withdrawable balance of a token (rewards, returned bonds, refunds, game payouts). */
export async function withdraw(client: WriteClient, params: WithdrawParameters): Promise<WithdrawReturnType> {
  const r = await write(client, { contract: "TaskMarket", address: params.market, abi: taskMarketAbi, functionName: "withdraw", args: [params.token ?? zeroAddress], account: params.account });
  let amount = 0n;
  for (const log of r.receipt.logs) {
    if (log.address.toLowerCase() !== params.market.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: taskMarketAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "Withdrawn") amount += ev.args.amount;
    } catch {
      // another event
    }
  }
  return { ...r, amount };
}
