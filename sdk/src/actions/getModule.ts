import type { Address, Hex } from "viem";
import { readContract } from "viem/actions";
import { moduleRegistryAbi } from "../abi/generated.js";
import type { ContractRevertError } from "../errors.js";
import { read, type ReadClient } from "../internal/write.js";
import type { ModuleFields } from "../types.js";

export type GetModuleParameters = { registry: Address; moduleId: Hex };
export type GetModuleReturnType = ModuleFields;
export type GetModuleErrorType = ContractRevertError;

/** The fields registered under `moduleId` (reverts with UnknownModule, decoded, if none). */
export async function getModule(client: ReadClient, params: GetModuleParameters): Promise<GetModuleReturnType> {
  return read(() => readContract(client, { address: params.registry, abi: moduleRegistryAbi, functionName: "getModule", args: [params.moduleId] }), "ModuleRegistry", "getModule");
}
