/**
 * Names of the protocol's enums and the TypeScript types of its structs (derived from the generated
 * ABIs, so they follow the contracts).
 */
import spec from "@vwasm/wasm-stepper/spec/state.json" with { type: "json" };
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType, Hex } from "viem";
import type { disputeGameAbi, moduleRegistryAbi, taskMarketAbi } from "./abi/generated.js";

/** TaskStatus of ProtocolTypes.sol, by its uint8 value. */
export const TASK_STATUS = ["none", "open", "claimed", "submitted", "finalized", "cancelled"] as const;
export type TaskStatusName = (typeof TASK_STATUS)[number];

/** Party of ProtocolTypes.sol. */
export const PARTY = ["none", "solver", "challenger"] as const;
export type PartyName = (typeof PARTY)[number];

/** GameEnd of IDisputeGame.sol. */
export const GAME_END = ["none", "stepProven", "timeout", "resultFell", "resultFinal"] as const;
export type GameEndName = (typeof GAME_END)[number];

/** Machine statuses and trap codes of a final state (wasm-stepper/spec/state.json). */
export type MachineStatus = Exclude<keyof typeof spec.statuses, "running">;
export type TrapName = Exclude<keyof typeof spec.traps, "none">;
export const MACHINE_STATUS: Record<number, MachineStatus | "running"> = Object.fromEntries(Object.entries(spec.statuses).map(([k, v]) => [v, k])) as never;
export const TRAP: Record<number, TrapName | undefined> = Object.fromEntries(Object.entries(spec.traps).map(([k, v]) => [v, k === "none" ? undefined : k])) as never;

type Returns<abi extends Abi, fn extends ContractFunctionName<abi, "view" | "pure">> = ContractFunctionReturnType<abi, "view" | "pure", fn>;
type Inputs<abi extends Abi, fn extends ContractFunctionName<abi, "nonpayable" | "payable">> = ContractFunctionArgs<abi, "nonpayable" | "payable", fn>;

/** The Task struct as getTask returns it. */
export type Task = Returns<typeof taskMarketAbi, "getTask">;
/** TaskParams: what a poster asks for. */
export type TaskParams = Inputs<typeof taskMarketAbi, "postTask">[0];
export type Limits = TaskParams["limits"];
/** ResultClaim: status, trap code, steps, final state hash and output hash of a result. */
export type ResultClaim = Task["result"];
/** ModuleFields: what the Wasm bytes alone fix of a task's initial state. */
export type ModuleFields = Inputs<typeof moduleRegistryAbi, "register">[0];
/** The Game struct as getGame returns it. */
export type Game = Returns<typeof disputeGameAbi, "getGame">;

/** Addresses of one deployment of the protocol. */
export interface ProtocolAddresses {
  registry: Address;
  market: Address;
  game: Address;
}

/** A result as a dapp sees it: the machine's final status, its trap if it trapped, the output bytes. */
export interface TaskResult {
  status: MachineStatus;
  trap?: TrapName;
  output: Hex;
  steps: bigint;
  finalStateHash: Hex;
  outputHash: Hex;
  solver: Address;
}

/** Decodes a result claim's status and trap code into names. */
export function decodeResultClaim(claim: ResultClaim): { status: MachineStatus; trap?: TrapName } {
  const status = MACHINE_STATUS[claim.status];
  if (status === undefined || status === "running") throw new RangeError(`result status ${claim.status} is not a terminal machine status`);
  const trap = TRAP[claim.trapCode];
  return trap ? { status, trap } : { status };
}
