import { hexToBytes, type Address, type Hex } from "viem";
import { readContract } from "viem/actions";
import { moduleRegistryAbi } from "../abi/generated.js";
import { EventNotFoundError, type ContractRevertError } from "../errors.js";
import { getEventsChunked } from "../internal/logs.js";
import { read, type ReadClient } from "../internal/write.js";
import type { ModuleFields } from "../types.js";

export type GetModuleCodeParameters = { registry: Address; moduleId: Hex };
export type GetModuleCodeReturnType = {
  /** The bytes of the ModuleRegistered event. */
  wasm: Uint8Array;
  /** Further copies offered with `publish` (ModuleBytesPublished events), oldest first: try each when `wasm` does not match. */
  published: Uint8Array[];
  fields: ModuleFields;
  registrant: Address;
  blockNumber: bigint;
};
export type GetModuleCodeErrorType = ContractRevertError | EventNotFoundError;

/**
 * A module's Wasm bytes as published in its ModuleRegistered event (found at the block the registry
 * records), any further copies offered with `publish`, and the registered fields. Check the bytes
 * against the fields (computeModuleFields) before trusting them.
 */
export async function getModuleCode(client: ReadClient, params: GetModuleCodeParameters): Promise<GetModuleCodeReturnType> {
  const at = await read(() => readContract(client, { address: params.registry, abi: moduleRegistryAbi, functionName: "registeredAt", args: [params.moduleId] }), "ModuleRegistry", "registeredAt");
  if (at === 0n) throw new EventNotFoundError(`module ${params.moduleId}`, "it is not registered on this registry");
  const events = await getEventsChunked(client, { address: params.registry, abi: moduleRegistryAbi, eventName: "ModuleRegistered", args: { moduleId: params.moduleId }, fromBlock: at, toBlock: at });
  const ev = events[0] as unknown as { args: { wasm: Hex; fields: ModuleFields; registrant: Address }; blockNumber: bigint } | undefined;
  if (!ev) throw new EventNotFoundError(`the ModuleRegistered event of ${params.moduleId}`, `block ${at} holds none: the endpoint may have pruned its logs`);
  const more = await getEventsChunked(client, { address: params.registry, abi: moduleRegistryAbi, eventName: "ModuleBytesPublished", args: { moduleId: params.moduleId }, fromBlock: at });
  const published = (more as unknown as { args: { wasm: Hex } }[]).map((e) => hexToBytes(e.args.wasm));
  return { wasm: hexToBytes(ev.args.wasm), published, fields: ev.args.fields, registrant: ev.args.registrant, blockNumber: ev.blockNumber };
}
