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
import { deployedSize, loadArtifact, PROVER_CONTRACTS } from "./lib/artifacts";
import { connect, parseArgs, printJson, runMain } from "./lib/cli";
import { deployProverSet } from "./lib/deploy";

const USAGE = `usage: npm run deploy:prover -w contracts -- --rpc <url> [--key <0x private key>] [--out <file>]

Deploys OneStepProverControl, OneStepProverMemory, OneStepProverNumeric, OneStepProverHost and
OneStepProofEntry (wired to the four) and prints their addresses as JSON.

  --rpc <url>    JSON-RPC endpoint (required)
  --key <hex>    deployer private key; default: env DEPLOYER_KEY, else the node's first unlocked account
  --out <file>   also write the JSON to <file>
  --help         this text`;

runMain("deploy-prover", USAGE, async () => {
  const { rpc, key, out } = parseArgs(process.argv.slice(2), USAGE);
  const { chainId, client, wallet } = await connect(rpc, key);
  const r = await deployProverSet(wallet, client);
  printJson(
    {
      chainId,
      deployer: wallet.account.address,
      entry: r.addresses.OneStepProofEntry,
      contracts: r.addresses,
      codeSize: Object.fromEntries(PROVER_CONTRACTS.map((n) => [n, deployedSize(loadArtifact(n))])),
      gasUsed: Object.fromEntries(Object.entries(r.gasUsed).map(([k, v]) => [k, Number(v)])),
      transactions: r.transactions,
    },
    out,
  );
});
