import { bytesToHex, type Address, type Hex } from "viem";
import { taskMarketAbi } from "../abi/generated.js";
import type { ContractRevertError, InvalidParameterError } from "../errors.js";
import { write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type SubmitResultParameters = WriteOptions & {
  market: Address;
  taskId: bigint;
  finalStateHash: Hex;
  /** The final state's header words (the words a proof starts with), concatenated. */
  headerWords: Uint8Array | Hex;
  output: Uint8Array | Hex;
};
export type SubmitResultReturnType = WriteResult;
export type SubmitResultErrorType = ContractRevertError | InvalidParameterError;

/** Submits the result of the current claim: final state hash, its header words and the output bytes. */
export async function submitResult(client: WriteClient, params: SubmitResultParameters): Promise<SubmitResultReturnType> {
  const hex = (b: Uint8Array | Hex): Hex => (typeof b === "string" ? b : bytesToHex(b));
  return write(client, {
    contract: "TaskMarket",
    address: params.market,
    abi: taskMarketAbi,
    functionName: "submitResult",
    args: [params.taskId, params.finalStateHash, hex(params.headerWords), hex(params.output)],
    account: params.account,
  });
}
