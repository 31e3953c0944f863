import type { Address } from "viem";
import { getBlock } from "viem/actions";
import { TaskCancelledError, TaskExpiredError, WaitTimeoutError, type ContractRevertError, type EventNotFoundError, type OutputMismatchError, type TaskNotFoundError } from "../errors.js";
import type { ReadClient } from "../internal/write.js";
import type { TaskResult, TaskStatusName } from "../types.js";
import { getResult } from "./getResult.js";
import { getTask } from "./getTask.js";

export type WaitForResultParameters = {
  market: Address;
  taskId: bigint;
  /** Milliseconds between polls (default: the client's pollingInterval). */
  pollingInterval?: number;
  /** Give up after this many milliseconds (default: never; the task's own deadline still applies). */
  timeout?: number;
  /** Block to scan for the result event from (default: the task's posting block is not known: 0). */
  fromBlock?: bigint;
  /** Called when the task's status changes. */
  onStatus?: (status: TaskStatusName) => void;
};
export type WaitForResultReturnType = TaskResult;
export type WaitForResultErrorType = TaskCancelledError | TaskExpiredError | WaitTimeoutError | TaskNotFoundError | ContractRevertError | EventNotFoundError | OutputMismatchError;

/**
 * Resolves once the task's result is final: `{ status, trap?, output, ... }` (the output checked
 * against the claim's hash). Rejects with TaskCancelledError if the task is cancelled, and with
 * TaskExpiredError if its deadline passes with no result standing.
 *
 * @example
 * const { status, output } = await waitForResult(client, { market, taskId });
 */
export async function waitForResult(client: ReadClient, params: WaitForResultParameters): Promise<WaitForResultReturnType> {
  const interval = params.pollingInterval ?? client.pollingInterval;
  const started = Date.now();
  let last: TaskStatusName | undefined;
  for (;;) {
    const task = await getTask(client, params);
    if (task.statusName !== last) params.onStatus?.(task.statusName);
    last = task.statusName;
    if (task.statusName === "finalized") {
      const r = await getResult(client, { market: params.market, taskId: params.taskId, attempt: task.attempt, fromBlock: params.fromBlock });
      const { challengeDeadline: _c, blockNumber: _b, ...result } = r;
      return result;
    }
    if (task.statusName === "cancelled") throw new TaskCancelledError(params.taskId);
    if (task.statusName === "open") {
      const now = (await getBlock(client, { blockTag: "latest" })).timestamp;
      if (now > task.params.deadline) throw new TaskExpiredError(params.taskId, task.params.deadline);
    }
    if (params.timeout !== undefined && Date.now() - started > params.timeout) throw new WaitTimeoutError(params.taskId, params.timeout, task.statusName);
    await new Promise((r) => setTimeout(r, interval));
  }
}
