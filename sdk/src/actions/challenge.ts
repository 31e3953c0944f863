import { decodeEventLog, type Address } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../abi/generated.js";
import { InvalidParameterError, type ContractRevertError } from "../errors.js";
import { read, write, type WriteClient, type WriteOptions, type WriteResult } from "../internal/write.js";

export type ChallengeParameters = WriteOptions & {
  game: Address;
  taskId: bigint;
  /** The bond (default: the game's challengerBond, read first). */
  bond?: bigint;
};
export type ChallengeReturnType = WriteResult & { gameId: bigint };
export type ChallengeErrorType = ContractRevertError | InvalidParameterError;

/** Opens a game against the current result of a task, during its challenge window. */
export async function challenge(client: WriteClient, params: ChallengeParameters): Promise<ChallengeReturnType> {
  const bond = params.bond ?? (await read(() => readContract(client, { address: params.game, abi: disputeGameAbi, functionName: "challengerBond" }), "DisputeGame", "challengerBond"));
  const r = await write(client, { contract: "DisputeGame", address: params.game, abi: disputeGameAbi, functionName: "challenge", args: [params.taskId], value: bond, account: params.account });
  for (const log of r.receipt.logs) {
    try {
      const ev = decodeEventLog({ abi: disputeGameAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "GameOpened") return { ...r, gameId: ev.args.gameId };
    } catch {
      // another contract's event
    }
  }
  throw new InvalidParameterError(`transaction ${r.hash} opened no game: is ${params.game} the dispute game?`);
}
