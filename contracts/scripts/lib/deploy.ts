/**
 * deployProverSet: deploys the four family provers and OneStepProofEntry (wired to them) with any
 * viem wallet client, on any chain. Used by scripts/deploy-prover.ts, the tests and the gas bench.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { loadArtifact, PROVER_CONTRACTS, type ProverContractName } from "./artifacts";

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
