import type { Address } from "viem";
import { readContract } from "viem/actions";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";
import { getTask, type GetTaskReturnType } from "./getTask.js";

export type ListTasksParameters = {
  market: Address;
  /** First task id (default: the `count` most recent). */
  from?: bigint;
  /** How many tasks at most (default 20). */
  count?: number;
};
export type ListTasksReturnType = { total: bigint; tasks: GetTaskReturnType[] };
export type ListTasksErrorType = ContractRevertError;

/** Tasks by id, most recent last. Task ids start at 1. */
export async function listTasks(client: ReadClient, params: ListTasksParameters): Promise<ListTasksReturnType> {
  const total = await read(() => readContract(client, { address: params.market, abi: taskMarketAbi, functionName: "taskCount" }), "TaskMarket", "taskCount");
  const count = BigInt(params.count ?? 20);
  const first = params.from ?? (total > count ? total - count + 1n : 1n);
  const ids: bigint[] = [];
  for (let id = first; id <= total && ids.length < count; id++) ids.push(id);
  const tasks = await Promise.all(ids.map((taskId) => getTask(client, { market: params.market, taskId })));
  return { total, tasks };
}
