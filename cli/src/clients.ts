/** Clients and configuration of the CLI: flags, then env, then a config file; keys never printed. */
import { existsSync, readFileSync } from "node:fs";
import * as sdk from "@vwasm/sdk";
import { readDeployment } from "@vwasm/solver";
import { createPublicClient, createWalletClient, isHex, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export interface GlobalOptions {
  rpc?: string;
  deployment?: string;
  key?: string;
  config?: string;
}

export class CliError extends Error {
  override name = "CliError";
}

export function resolveOptions(o: GlobalOptions): { rpc: string; addresses: sdk.ProtocolAddresses; key?: Hex } {
  const file = o.config ?? process.env.VWASM_CONFIG;
  const fromFile = (file && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {}) as GlobalOptions;
  const rpc = o.rpc ?? process.env.VWASM_RPC ?? fromFile.rpc ?? "http://127.0.0.1:8545";
  const deployment = o.deployment ?? process.env.VWASM_DEPLOYMENT ?? fromFile.deployment ?? "deployment.json";
  if (!existsSync(deployment)) throw new CliError(`no deployment file ${deployment}: run \`vwasm up\` or pass --deployment`);
  const key = o.key ?? process.env.VWASM_KEY ?? fromFile.key;
  if (key !== undefined && !(isHex(key) && key.length === 66)) throw new CliError("the private key must be 0x followed by 64 hex digits");
  return { rpc, addresses: readDeployment(deployment), key: key as Hex | undefined };
}

export async function clients(o: GlobalOptions, needKey: boolean): Promise<{ pub: PublicClient; wallet?: WalletClient; addresses: sdk.ProtocolAddresses }> {
  const { rpc, addresses, key } = resolveOptions(o);
  const transport = sdk.transportFor(rpc);
  const chain = sdk.chainFor(await createPublicClient({ transport }).getChainId(), rpc);
  const pub = createPublicClient({ chain, transport, pollingInterval: 500 }) as PublicClient;
  if (!key) {
    if (needKey) throw new CliError("this command sends transactions: pass --key, set VWASM_KEY or put `key` in the config file");
    return { pub, addresses };
  }
  return { pub, wallet: createWalletClient({ chain, transport, account: privateKeyToAccount(key) }), addresses };
}
