import type { Address } from "viem";
import { readContract } from "viem/actions";
import { taskMarketAbi } from "../abi/generated.js";
import { TaskNotFoundError, type ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";
import { TASK_STATUS, type Task, type TaskStatusName } from "../types.js";

export type GetTaskParameters = { market: Address; taskId: bigint };
export type GetTaskReturnType = Task & { taskId: bigint; statusName: TaskStatusName };
export type GetTaskErrorType = TaskNotFoundError | ContractRevertError;

/** The task as stored, with its status's name; TaskNotFoundError for an id the market does not have. */
export async function getTask(client: ReadClient, params: GetTaskParameters): Promise<GetTaskReturnType> {
  let task: Task;
  try {
    task = await read(() => readContract(client, { address: params.market, abi: taskMarketAbi, functionName: "getTask", args: [params.taskId] }), "TaskMarket", "getTask");
  } catch (e) {
    if ((e as { errorName?: string }).errorName === "UnknownTask") throw new TaskNotFoundError(params.taskId);
    throw e;
  }
  if (task.status === 0) throw new TaskNotFoundError(params.taskId);
  return { ...task, taskId: params.taskId, statusName: TASK_STATUS[task.status] ?? "none" };
}
