import type { Address, Hex } from "viem";
import { disputeGameAbi } from "../abi/generated.js";
import { EventNotFoundError } from "../errors.js";
import { getEventsChunked } from "../internal/logs.js";
import type { ReadClient } from "../internal/write.js";

export type GetBisectionParameters = { game: Address; gameId: bigint; fromBlock?: bigint };
export type GetBisectionReturnType = { lo: bigint; hi: bigint; hashes: readonly Hex[]; blockNumber: bigint };
export type GetBisectionErrorType = EventNotFoundError;

/**
 * The last bisection of a game (its Bisected event): the range it split and the k-1 hashes the
 * challenger re-supplies with its pick (only their hash is stored on-chain).
 */
export async function getBisection(client: ReadClient, params: GetBisectionParameters): Promise<GetBisectionReturnType> {
  const events = await getEventsChunked(client, { address: params.game, abi: disputeGameAbi, eventName: "Bisected", args: { gameId: params.gameId }, fromBlock: params.fromBlock });
  const ev = (events as unknown as { args: { lo: bigint; hi: bigint; hashes: readonly Hex[] }; blockNumber: bigint }[]).pop();
  if (!ev) throw new EventNotFoundError(`a bisection of game ${params.gameId}`, "no Bisected event in the scanned range (pass fromBlock)");
  return { lo: ev.args.lo, hi: ev.args.hi, hashes: ev.args.hashes, blockNumber: ev.blockNumber };
}
