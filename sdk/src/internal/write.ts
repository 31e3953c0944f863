/**
 * The one path of every state-changing action: simulate (so a revert is decoded with the contract's
 * custom errors before any gas is spent), send, wait for the receipt.
 */
import type { Abi, Account, Address, Chain, Client, Hash, TransactionReceipt, Transport } from "viem";
import { simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { ContractRevertError, decodeRevert, InvalidParameterError, SdkError } from "../errors.js";

export type WriteClient = Client<Transport, Chain | undefined, Account | undefined>;
export type ReadClient = Client<Transport, Chain | undefined, Account | undefined>;

/** Options every write action accepts. */
export interface WriteOptions {
  /** The account to send from (default: the client's). */
  account?: Account | Address;
}

export interface WriteResult {
  hash: Hash;
  receipt: TransactionReceipt;
}

export class TransactionRevertedError extends SdkError {
  override name = "TransactionRevertedError";
  constructor(
    readonly hash: Hash,
    contract: string,
    functionName: string,
  ) {
    super(`${contract}.${functionName} was mined but reverted (transaction ${hash}): the chain changed between simulation and inclusion; read the state again and retry`);
  }
}

export async function write(
  client: WriteClient,
  args: { contract: string; address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint; account?: Account | Address },
): Promise<WriteResult> {
  const account = args.account ?? client.account;
  if (!account) throw new InvalidParameterError(`${args.contract}.${args.functionName} needs an account: create the client with one or pass \`account\``);
  let hash: Hash;
  try {
    const { request } = await simulateContract(client, {
      address: args.address,
      abi: args.abi,
      functionName: args.functionName,
      args: args.args,
      value: args.value,
      account,
      chain: client.chain,
    } as never);
    hash = await writeContract(client, request as never);
  } catch (e) {
    throw decodeRevert(e, args.contract, args.functionName);
  }
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== "success") throw new TransactionRevertedError(hash, args.contract, args.functionName);
  return { hash, receipt };
}

/** readContract with revert decoding. */
export async function read<T>(fn: () => Promise<T>, contract: string, functionName: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw decodeRevert(e, contract, functionName);
  }
}

export { ContractRevertError };
