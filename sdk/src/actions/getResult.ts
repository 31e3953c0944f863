import { hexToBytes, type Address, type Hex } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import { EventNotFoundError, OutputMismatchError } from "../errors.js";
import { outputHash } from "../hash.js";
import { getEventsChunked } from "../internal/logs.js";
import type { ReadClient } from "../internal/write.js";
import { decodeResultClaim, type ResultClaim, type TaskResult } from "../types.js";

export type GetResultParameters = { market: Address; taskId: bigint; attempt: number; fromBlock?: bigint };
export type GetResultReturnType = TaskResult & { challengeDeadline: bigint; blockNumber: bigint };
export type GetResultErrorType = EventNotFoundError | OutputMismatchError;

/**
 * The result submitted for attempt `attempt` of a task (its ResultSubmitted event), with the output
 * bytes checked against the claim's output hash here, in pure JS.
 */
export async function getResult(client: ReadClient, params: GetResultParameters): Promise<GetResultReturnType> {
  const events = await getEventsChunked(client, { address: params.market, abi: taskMarketAbi, eventName: "ResultSubmitted", args: { taskId: params.taskId }, fromBlock: params.fromBlock });
  const ev = (events as unknown as { args: { solver: Address; attempt: number; result: ResultClaim; output: Hex; challengeDeadline: bigint }; blockNumber: bigint }[]).filter((e) => e.args.attempt === params.attempt).pop();
  if (!ev) throw new EventNotFoundError(`the result of task ${params.taskId} (attempt ${params.attempt})`, "no ResultSubmitted event in the scanned range (pass fromBlock)");
  if (outputHash(hexToBytes(ev.args.output)) !== ev.args.result.outputHash) throw new OutputMismatchError(params.taskId);
  return {
    ...decodeResultClaim(ev.args.result),
    output: ev.args.output,
    steps: ev.args.result.steps,
    finalStateHash: ev.args.result.finalStateHash,
    outputHash: ev.args.result.outputHash,
    solver: ev.args.solver,
    challengeDeadline: ev.args.challengeDeadline,
    blockNumber: ev.blockNumber,
  };
}
