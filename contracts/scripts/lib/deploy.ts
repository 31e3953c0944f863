/**
 * deployProverSet: deploys the four family provers and OneStepProofEntry (wired to them) with any
 * viem wallet client, on any chain; deployProtocol: the prover set, the module registry, the task market
 * and the dispute game. Used by the deploy scripts, the tests and the gas bench.
 */
import { getContractAddress, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { loadArtifact, loadProtocolArtifact, PROVER_CONTRACTS, type ProverContractName } from "./artifacts";

export type ProverAddresses = Record<ProverContractName, Address>;

export interface DeployResult {
  addresses: ProverAddresses;
  /** Deployment transaction hashes, by contract. */
  transactions: Record<ProverContractName, Hex>;
  gasUsed: Record<ProverContractName, bigint>;
}

async function deployOne(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  client: PublicClient,
  name: ProverContractName,
  args: readonly unknown[],
): Promise<{ address: Address; hash: Hex; gasUsed: bigint }> {
  const a = loadArtifact(name);
  const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args, account: wallet.account, chain: wallet.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed (transaction ${hash})`);
  return { address: receipt.contractAddress, hash, gasUsed: receipt.gasUsed };
}

/** Deploys the prover set from `wallet`'s account; returns the addresses (OneStepProofEntry among them). */
export async function deployProverSet(wallet: WalletClient<Transport, Chain | undefined, Account>, client: PublicClient): Promise<DeployResult> {
  const addresses = {} as ProverAddresses;
  const transactions = {} as Record<ProverContractName, Hex>;
  const gasUsed = {} as Record<ProverContractName, bigint>;
  for (const name of PROVER_CONTRACTS) {
    const args =
      name === "OneStepProofEntry"
        ? [addresses.OneStepProverControl, addresses.OneStepProverMemory, addresses.OneStepProverNumeric, addresses.OneStepProverHost]
        : [];
    const r = await deployOne(wallet, client, name, args);
    addresses[name] = r.address;
    transactions[name] = r.hash;
    gasUsed[name] = r.gasUsed;
  }
  return { addresses, transactions, gasUsed };
}

/** Deployment parameters of the protocol contracts. */
export interface ProtocolParams {
  /** Branching factor of the dissection (measured by bench:gas: the k with the lowest whole-dispute gas). */
  k: number;
  /** Challenger bond in wei. */
  challengerBond: bigint;
  /** Each party's clock in a game, seconds. */
  clockSeconds: number;
  /** Smallest solver bond a task may ask, wei. */
  minSolverBond: bigint;
}

export const DEFAULT_PROTOCOL_PARAMS: Readonly<ProtocolParams> = Object.freeze({
  k: 16,
  challengerBond: 10n ** 17n,
  clockSeconds: 86_400,
  minSolverBond: 10n ** 17n,
});

export const PROTOCOL_CONTRACTS = ["ModuleRegistry", "TaskMarket", "DisputeGame"] as const;
export type ProtocolName = (typeof PROTOCOL_CONTRACTS)[number];

export interface ProtocolDeployResult {
  prover: DeployResult;
  addresses: Record<ProtocolName, Address>;
  transactions: Record<ProtocolName, Hex>;
  gasUsed: Record<ProtocolName, bigint>;
  params: ProtocolParams;
}

/**
 * Deploys the prover set (unless `prover` is given), then ModuleRegistry, TaskMarket and DisputeGame. The market
 * and the game know each other's address as immutables: the market is built with the game's address predicted from
 * the deployer's nonce (the game is the next contract it creates), and the game with the market's.
 */
export async function deployProtocol(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  client: PublicClient,
  params: Partial<ProtocolParams> = {},
  prover?: DeployResult,
): Promise<ProtocolDeployResult> {
  const p = { ...DEFAULT_PROTOCOL_PARAMS, ...params };
  const set = prover ?? (await deployProverSet(wallet, client));
  const addresses = {} as Record<ProtocolName, Address>;
  const transactions = {} as Record<ProtocolName, Hex>;
  const gasUsed = {} as Record<ProtocolName, bigint>;
  const one = async (name: ProtocolName, args: readonly unknown[]) => {
    const a = loadProtocolArtifact(name);
    const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args, account: wallet.account, chain: wallet.chain });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deploying ${name} failed (transaction ${hash})`);
    addresses[name] = receipt.contractAddress;
    transactions[name] = hash;
    gasUsed[name] = receipt.gasUsed;
  };
  await one("ModuleRegistry", []);
  const nonce = await client.getTransactionCount({ address: wallet.account.address, blockTag: "pending" });
  const gameAddress = getContractAddress({ from: wallet.account.address, nonce: BigInt(nonce + 1) });
  await one("TaskMarket", [addresses.ModuleRegistry, gameAddress, p.minSolverBond]);
  await one("DisputeGame", [addresses.TaskMarket, set.addresses.OneStepProofEntry, BigInt(p.k), p.challengerBond, BigInt(p.clockSeconds)]);
  if (addresses.DisputeGame.toLowerCase() !== gameAddress.toLowerCase())
    throw new Error(`DisputeGame deployed at ${addresses.DisputeGame}, not at the predicted ${gameAddress} (another transaction from the deployer interleaved)`);
  return { prover: set, addresses, transactions, gasUsed, params: p };
}
