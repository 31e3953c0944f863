/**
 * What the deploy scripts share: argument parsing (--rpc, --key / DEPLOYER_KEY, --out, script-specific
 * options), the connection to a JSON-RPC endpoint with the deployer's wallet, and printing the JSON result.
 */
import { writeFileSync } from "node:fs";
import { createPublicClient, createWalletClient, defineChain, http, isHex, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommonArgs {
  rpc: string;
  key?: Hex;
  out?: string;
  /** Script-specific options: name (without --) -> value. */
  extra: Record<string, string>;
}

/** Parses --rpc, --key, --out, --help and the script's own `--name value` options listed in `extraNames`. */
export function parseArgs(argv: string[], usage: string, extraNames: readonly string[] = []): CommonArgs {
  const opts: { rpc?: string; key?: string; out?: string } = {};
  const extra: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") {
      console.log(usage);
      process.exit(0);
    } else if (a === "--rpc") opts.rpc = value();
    else if (a === "--key") opts.key = value();
    else if (a === "--out") opts.out = value();
    else if (a.startsWith("--") && extraNames.includes(a.slice(2))) extra[a.slice(2)] = value();
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!opts.rpc) throw new UsageError("--rpc <url> is required");
  const key = opts.key ?? process.env.DEPLOYER_KEY;
  if (key !== undefined && !(isHex(key) && key.length === 66)) throw new UsageError("the private key must be 0x followed by 64 hex digits");
  return { rpc: opts.rpc, key: key as Hex | undefined, out: opts.out, extra };
}

/** The chain id, a public client and the deployer's wallet (the key's account, else the node's first unlocked one). */
export async function connect(rpc: string, key: Hex | undefined): Promise<{ chainId: number; client: PublicClient; wallet: WalletClient<Transport, Chain, Account> }> {
  const transport = http(rpc);
  const chainId = await createPublicClient({ transport }).getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const client = createPublicClient({ chain, transport }) as PublicClient;
  let account: Account | Address;
  if (key) account = privateKeyToAccount(key);
  else {
    const accounts = await createWalletClient({ chain, transport }).getAddresses();
    if (!accounts.length) throw new UsageError(`${rpc} has no unlocked account: pass --key or set DEPLOYER_KEY`);
    account = accounts[0]!;
  }
  return { chainId, client, wallet: createWalletClient({ chain, transport, account }) as WalletClient<Transport, Chain, Account> };
}

/** Prints the result as JSON (and writes it to `out`). */
export function printJson(result: unknown, out: string | undefined): void {
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
  if (out) writeFileSync(out, json + "\n");
  console.log(json);
}

/** Runs a script's main, printing a UsageError with the usage text and any error as one line; exit code 1. */
export function runMain(script: string, usage: string, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) console.error(`${script}: ${e.message}\n\n${usage}`);
    else console.error(`${script}: ${(e as Error).message ?? e}`);
    process.exit(1);
  });
}
