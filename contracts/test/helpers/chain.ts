/**
 * The prover set deployed on hardhat's in-process network, and proveOneStep through eth_call.
 */
import hre from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
  RawContractError,
  createPublicClient,
  createWalletClient,
  custom,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { hardhat } from "viem/chains";
import { entryAbi, loadProtocolArtifact, type ProtocolContractName } from "../../scripts/lib/artifacts";
import { deployProverSet, type DeployResult } from "../../scripts/lib/deploy";

export interface Deployed {
  client: PublicClient;
  entry: Address;
  abi: Abi;
  deploy: DeployResult;
  transport: Transport;
  /** The first account's wallet (the deployer). */
  wallet: WalletClient<Transport, typeof hardhat, Account>;
  accounts: Address[];
}

/** An EIP-1193 provider (hardhat's in-process network, or another in-process EDR provider). */
export interface RequestProvider {
  request(a: { method: string; params?: unknown[] }): Promise<unknown>;
}

/**
 * Deploys the prover set on a fresh in-process hardhat network (one per test file: pool "forks"),
 * or on `provider`.
 */
export async function deployOnHardhat(provider: RequestProvider = hre.network.provider): Promise<Deployed> {
  // hardhat's in-process provider throws reverts as plain errors carrying the revert data; hand
  // them to viem as the execution error (code 3) they are, so it decodes the custom error.
  const transport = custom({
    async request(args: { method: string; params?: unknown[] }) {
      try {
        return await provider.request(args);
      } catch (e) {
        let data = (e as { data?: unknown }).data;
        // Some reverts (an error hardhat cannot name) carry their data only in the message.
        if (typeof data !== "string") data = /return data: (0x[0-9a-fA-F]*)\)/.exec((e as Error).message ?? "")?.[1];
        if (typeof data === "string" && data.startsWith("0x")) throw new RawContractError({ data: data as Hex, message: (e as Error).message });
        throw e;
      }
    },
  });
  const client = createPublicClient({ chain: hardhat, transport }) as PublicClient;
  const accounts = (await client.request({ method: "eth_accounts" } as never)) as Address[];
  const wallet = createWalletClient({ chain: hardhat, transport, account: accounts[0]! });
  const deploy = await deployProverSet(wallet, client);
  return { client, entry: deploy.addresses.OneStepProofEntry, abi: entryAbi(), deploy, transport, wallet, accounts };
}

/** The outcome of proveOneStep: the post-state hash, or the name of the custom error it reverted with. */
export type Outcome = { ok: true; after: Hex } | { ok: false; error: string };

/** The custom error name of a viem contract error ("<no custom error>" for anything else). */
export function errorName(e: unknown): string {
  if (e instanceof BaseError) {
    const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
    if (r instanceof ContractFunctionRevertedError) return r.data?.errorName ?? `<revert without custom error: ${r.shortMessage}>`;
  }
  return `<no custom error: ${(e as Error).message?.split("\n")[0]}>`;
}

export async function proveOneStep(d: Deployed, before: Hex, proof: Hex): Promise<Outcome> {
  try {
    const after = (await d.client.readContract({ address: d.entry, abi: d.abi, functionName: "proveOneStep", args: [before, proof] })) as Hex;
    return { ok: true, after };
  } catch (e) {
    return { ok: false, error: errorName(e) };
  }
}

/** Gas of a transaction calling proveOneStep (eth_estimateGas: intrinsic + calldata + execution). */
export async function estimateProveGas(d: Deployed, before: Hex, proof: Hex): Promise<bigint> {
  return d.client.estimateContractGas({ address: d.entry, abi: d.abi, functionName: "proveOneStep", args: [before, proof] });
}

/** A wallet on the in-process network for `account` (an unlocked hardhat account). */
export function walletFor(d: Deployed, account: Address): WalletClient<Transport, typeof hardhat, Account> {
  return createWalletClient({ chain: hardhat, transport: d.transport, account }) as WalletClient<Transport, typeof hardhat, Account>;
}

/** Deploys a protocol contract (registry, market, game, probes) from the first account. */
export async function deployProtocolContract(d: Deployed, name: ProtocolContractName, args: readonly unknown[] = []): Promise<Address> {
  const a = loadProtocolArtifact(name);
  const hash = await d.wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
  const r = await d.client.waitForTransactionReceipt({ hash });
  if (r.status !== "success" || !r.contractAddress) throw new Error(`deploying ${name} failed`);
  return r.contractAddress;
}
