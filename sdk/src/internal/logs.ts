/**
 * Event queries that survive RPC endpoints limiting the block range of eth_getLogs: a refused range
 * is split in halves, recursively.
 */
import type { Abi, BlockNumber } from "viem";
import { getBlockNumber, getContractEvents } from "viem/actions";
import type { ReadClient } from "./write.js";

const MAX_SPLITS = 16;

export async function getEventsChunked(
  client: ReadClient,
  params: { address: `0x${string}`; abi: Abi; eventName: string; args?: Record<string, unknown>; fromBlock?: BlockNumber; toBlock?: BlockNumber },
): Promise<Awaited<ReturnType<typeof getContractEvents>>> {
  const to = params.toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }));
  const from = params.fromBlock ?? 0n;
  const query = async (lo: bigint, hi: bigint, depth: number): Promise<Awaited<ReturnType<typeof getContractEvents>>> => {
    try {
      return await getContractEvents(client, { address: params.address, abi: params.abi, eventName: params.eventName, args: params.args, fromBlock: lo, toBlock: hi, strict: true } as never);
    } catch (e) {
      if (hi <= lo || depth >= MAX_SPLITS) throw e;
      const mid = lo + (hi - lo) / 2n;
      return [...(await query(lo, mid, depth + 1)), ...(await query(mid + 1n, hi, depth + 1))];
    }
  };
  return query(from, to, 0);
}
