import { bytesToHex, hexToBytes, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import { readContract } from "viem/actions";
import { moduleRegistryAbi } from "../abi/generated.js";
import { InvalidParameterError, type ContractRevertError } from "../errors.js";
import { read, write, type WriteClient, type WriteOptions } from "../internal/write.js";
import type { ModuleFields } from "../types.js";
import { computeModuleFields, type ComputeModuleFieldsErrorType } from "./computeModuleFields.js";

export type RegisterModuleParameters = WriteOptions & {
  registry: Address;
  /** The module's Wasm bytes (binary, not text). */
  wasm: Uint8Array | Hex;
  /** Its fields; default: computed from the bytes with @vwasm/wasm-stepper. */
  fields?: ModuleFields;
};

export type RegisterModuleReturnType = {
  moduleId: Hex;
  fields: ModuleFields;
  /** False when the module was registered before (no transaction sent). */
  registered: boolean;
  hash?: Hash;
  receipt?: TransactionReceipt;
};

export type RegisterModuleErrorType = ContractRevertError | InvalidParameterError | ComputeModuleFieldsErrorType;

/**
 * Registers a module: its fields (computed from the bytes) under its moduleId, its bytes in the
 * ModuleRegistered event that solvers fetch. A module registered before is not sent again.
 *
 * @example
 * const { moduleId } = await registerModule(wallet, { registry, wasm: readFileSync("sha256.wasm") });
 */
export async function registerModule(client: WriteClient, params: RegisterModuleParameters): Promise<RegisterModuleReturnType> {
  const bytes = typeof params.wasm === "string" ? hexToBytes(params.wasm) : params.wasm;
  if (bytes.length === 0) throw new InvalidParameterError("registerModule: `wasm` is empty");
  const fields = params.fields ?? (await computeModuleFields(bytes));
  const moduleId = await read(() => readContract(client, { address: params.registry, abi: moduleRegistryAbi, functionName: "moduleIdOf", args: [fields] }), "ModuleRegistry", "moduleIdOf");
  const known = await read(() => readContract(client, { address: params.registry, abi: moduleRegistryAbi, functionName: "isRegistered", args: [moduleId] }), "ModuleRegistry", "isRegistered");
  if (known) return { moduleId, fields, registered: false };
  const { hash, receipt } = await write(client, {
    contract: "ModuleRegistry",
    address: params.registry,
    abi: moduleRegistryAbi,
    functionName: "register",
    args: [fields, bytesToHex(bytes)],
    account: params.account,
  });
  return { moduleId, fields, registered: true, hash, receipt };
}
