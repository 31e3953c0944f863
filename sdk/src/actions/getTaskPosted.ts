import { hexToBytes, type Address, type Hex } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import { EventNotFoundError } from "../errors.js";
import { getEventsChunked } from "../internal/logs.js";
import type { ReadClient } from "../internal/write.js";
import type { TaskParams } from "../types.js";

export type GetTaskPostedParameters = { market: Address; taskId: bigint; fromBlock?: bigint; toBlock?: bigint };
export type GetTaskPostedReturnType = {
  taskId: bigint;
  poster: Address;
  moduleId: Hex;
  params: TaskParams;
  input: Uint8Array;
  inputRoot: Hex;
  initialStateHash: Hex;
  blockNumber: bigint;
};
export type GetTaskPostedErrorType = EventNotFoundError;

/** The TaskPosted event of a task: its parameters and its input bytes, as the chain published them. */
export async function getTaskPosted(client: ReadClient, params: GetTaskPostedParameters): Promise<GetTaskPostedReturnType> {
  const events = await getEventsChunked(client, { address: params.market, abi: taskMarketAbi, eventName: "TaskPosted", args: { taskId: params.taskId }, fromBlock: params.fromBlock, toBlock: params.toBlock });
  const ev = events[0] as unknown as { args: Omit<GetTaskPostedReturnType, "input" | "blockNumber"> & { input: Hex }; blockNumber: bigint } | undefined;
  if (!ev) throw new EventNotFoundError(`the TaskPosted event of task ${params.taskId}`, "pass the block range where it was posted (fromBlock)");
  return { ...ev.args, input: hexToBytes(ev.args.input), blockNumber: ev.blockNumber };
}
