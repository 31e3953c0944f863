import type { Address } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";
import { getTask } from "./getTask.js";

export type ClaimTaskParameters = WriteOptions & {
  market: Address;
  taskId: bigint;
  /** The bond to post (default: the task's solverBond, read first). */
  bond?: bigint;
};
export type ClaimTaskReturnType = WriteResult & { bond: bigint };
export type ClaimTaskErrorType = ContractRevertError | InvalidParameterError;

/** Claims an open task by posting its solver bond; the solver then owes a result before solveDeadline. */
export async function claimTask(client: WriteClient, params: ClaimTaskParameters): Promise<ClaimTaskReturnType> {
  const bond = params.bond ?? (await getTask(client, params)).params.solverBond;
  const r = await write(client, { contract: "TaskMarket", address: params.market, abi: taskMarketAbi, functionName: "claimTask", args: [params.taskId], value: bond, account: params.account });
  return { ...r, bond };
}
