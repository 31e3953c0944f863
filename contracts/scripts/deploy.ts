/**
 * Deploys the whole protocol to any JSON-RPC endpoint: the one-step prover set, ModuleRegistry, TaskMarket and
 * DisputeGame (wired to each other), and prints the addresses as JSON on stdout, in the shape deploy:prover prints
 * plus the new contracts and the deployment parameters.
 *
 *   npm run deploy -w contracts -- --rpc http://127.0.0.1:8545
 *   npm run deploy -w contracts -- --rpc <url> --key 0x<private key> --k 16 --challenger-bond 100000000000000000
 */
import { deployedSize, loadArtifact, loadProtocolArtifact, PROVER_CONTRACTS } from "./lib/artifacts";
import { UsageError, connect, parseArgs, printJson, runMain } from "./lib/cli";
import { DEFAULT_PROTOCOL_PARAMS, PROTOCOL_CONTRACTS, deployProtocol, type ProtocolParams } from "./lib/deploy";

const D = DEFAULT_PROTOCOL_PARAMS;
const USAGE = `usage: npm run deploy -w contracts -- --rpc <url> [--key <0x private key>] [--out <file>] [parameters]

Deploys the one-step prover set, ModuleRegistry, TaskMarket and DisputeGame and prints their addresses
as JSON: { chainId, deployer, entry, registry, market, game, contracts, codeSize, gasUsed, transactions, params }.

  --rpc <url>                 JSON-RPC endpoint (required)
  --key <hex>                 deployer private key; default: env DEPLOYER_KEY, else the node's first unlocked account
  --out <file>                also write the JSON to <file>
  --k <n>                     dissection branching factor, 2..64 (default ${D.k})
  --challenger-bond <wei>     the bond a challenger posts (default ${D.challengerBond})
  --clock <seconds>           each party's clock in a game (default ${D.clockSeconds})
  --min-solver-bond <wei>     the smallest solver bond a task may ask (default ${D.minSolverBond})
  --help                      this text`;

function params(extra: Record<string, string>): Partial<ProtocolParams> {
  const int = (name: string): bigint | undefined => {
    const v = extra[name];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got ${v}`);
    return BigInt(v);
  };
  const p: Partial<ProtocolParams> = {};
  const k = int("k");
  if (k !== undefined) {
    if (k < 2n || k > 64n) throw new UsageError(`--k must be in 2..64, got ${k}`);
    p.k = Number(k);
  }
  const clock = int("clock");
  if (clock !== undefined) {
    if (clock < 1n || clock > 0xffffffffn) throw new UsageError(`--clock must be in 1..4294967295 seconds, got ${clock}`);
    p.clockSeconds = Number(clock);
  }
  const cb = int("challenger-bond");
  if (cb !== undefined) p.challengerBond = cb;
  const sb = int("min-solver-bond");
  if (sb !== undefined) p.minSolverBond = sb;
  return p;
}

runMain("deploy", USAGE, async () => {
  const { rpc, key, out, extra } = parseArgs(process.argv.slice(2), USAGE, ["k", "challenger-bond", "clock", "min-solver-bond"]);
  const p = params(extra);
  const { chainId, client, wallet } = await connect(rpc, key);
  const r = await deployProtocol(wallet, client, p);
  const contracts = { ...r.prover.addresses, ...r.addresses };
  printJson(
    {
      chainId,
      deployer: wallet.account.address,
      entry: r.prover.addresses.OneStepProofEntry,
      registry: r.addresses.ModuleRegistry,
      market: r.addresses.TaskMarket,
      game: r.addresses.DisputeGame,
      contracts,
      codeSize: {
        ...Object.fromEntries(PROVER_CONTRACTS.map((n) => [n, deployedSize(loadArtifact(n))])),
        ...Object.fromEntries(PROTOCOL_CONTRACTS.map((n) => [n, deployedSize(loadProtocolArtifact(n))])),
      },
      gasUsed: Object.fromEntries([...Object.entries(r.prover.gasUsed), ...Object.entries(r.gasUsed)].map(([k, v]) => [k, Number(v)])),
      transactions: { ...r.prover.transactions, ...r.transactions },
      params: r.params,
    },
    out,
  );
});
