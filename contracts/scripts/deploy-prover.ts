/**
 * Deploys the one-step prover set (the four family provers and OneStepProofEntry) to any
 * JSON-RPC endpoint and prints the addresses as JSON on stdout.
 *
 *   npm run deploy:prover -w contracts -- --rpc http://127.0.0.1:8545
 *   npm run deploy:prover -w contracts -- --rpc <url> --key 0x<private key>   (or env DEPLOYER_KEY)
 *
 * Without a key, the node's first unlocked account deploys (eth_sendTransaction), as on a local
 * hardhat node. `--out <file>` also writes the JSON to a file.
 */
import { writeFileSync } from "node:fs";
import { createPublicClient, createWalletClient, defineChain, http, isHex, type Account, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployedSize, loadArtifact, PROVER_CONTRACTS } from "./lib/artifacts";
import { deployProverSet } from "./lib/deploy";

const USAGE = `usage: npm run deploy:prover -w contracts -- --rpc <url> [--key <0x private key>] [--out <file>]

Deploys OneStepProverControl, OneStepProverMemory, OneStepProverNumeric, OneStepProverHost and
OneStepProofEntry (wired to the four) and prints their addresses as JSON.

  --rpc <url>    JSON-RPC endpoint (required)
  --key <hex>    deployer private key; default: env DEPLOYER_KEY, else the node's first unlocked account
  --out <file>   also write the JSON to <file>
  --help         this text`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { rpc: string; key?: Hex; out?: string } {
  const opts: { rpc?: string; key?: string; out?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (a === "--rpc") opts.rpc = value();
    else if (a === "--key") opts.key = value();
    else if (a === "--out") opts.out = value();
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!opts.rpc) throw new UsageError("--rpc <url> is required");
  const key = opts.key ?? process.env.DEPLOYER_KEY;
  if (key !== undefined && !(isHex(key) && key.length === 66)) throw new UsageError("the private key must be 0x followed by 64 hex digits");
  return { rpc: opts.rpc, key: key as Hex | undefined, out: opts.out };
}

async function main(): Promise<void> {
  const { rpc, key, out } = parseArgs(process.argv.slice(2));
  const transport = http(rpc);
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const client = createPublicClient({ chain, transport });
  let account: Account | Address;
  if (key) account = privateKeyToAccount(key);
  else {
    const accounts = await createWalletClient({ chain, transport }).getAddresses();
    if (!accounts.length) throw new UsageError(`${rpc} has no unlocked account: pass --key or set DEPLOYER_KEY`);
    account = accounts[0]!;
  }
  const wallet = createWalletClient({ chain, transport, account });
  const r = await deployProverSet(wallet, client);
  const result = {
    chainId,
    deployer: wallet.account.address,
    entry: r.addresses.OneStepProofEntry,
    contracts: r.addresses,
    codeSize: Object.fromEntries(PROVER_CONTRACTS.map((n) => [n, deployedSize(loadArtifact(n))])),
    gasUsed: Object.fromEntries(Object.entries(r.gasUsed).map(([k, v]) => [k, Number(v)])),
    transactions: r.transactions,
  };
  const json = JSON.stringify(result, null, 2);
  if (out) writeFileSync(out, json + "\n");
  console.log(json);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) console.error(`deploy-prover: ${e.message}\n\n${USAGE}`);
  else console.error(`deploy-prover: ${(e as Error).message ?? e}`);
  process.exit(1);
});
