import type { Address } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../abi/generated.js";
import type { ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";
import { PARTY, type Game, type PartyName } from "../types.js";

export type GetGameParameters = { game: Address; gameId: bigint };
export type GetGameReturnType = Game & { gameId: bigint; turnName: PartyName; winnerName: PartyName };
export type GetGameErrorType = ContractRevertError;

/** A dispute game as stored, with the names of whose turn it is and who won. */
export async function getGame(client: ReadClient, params: GetGameParameters): Promise<GetGameReturnType> {
  const g = await read(() => readContract(client, { address: params.game, abi: disputeGameAbi, functionName: "getGame", args: [params.gameId] }), "DisputeGame", "getGame");
  return { ...g, gameId: params.gameId, turnName: PARTY[g.turn] ?? "none", winnerName: PARTY[g.winner] ?? "none" };
}
