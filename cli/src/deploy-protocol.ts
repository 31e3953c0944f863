/**
 * Deploys the protocol (prover set, ModuleRegistry, TaskMarket, DisputeGame) with the contracts
 * package's deployProtocol and prints {chainId, deployer, contracts} as JSON: what `deploy()` of
 * local.ts runs while the contracts package has no `deploy` npm script of its own.
 *
 *   tsx cli/src/deploy-protocol.ts --rpc <url> [--key 0x...]   (default: the node's first unlocked account)
 */
import { parseArgs } from "node:util";
import * as sdk from "@vwasm/sdk";
import { createPublicClient, createWalletClient, type Account, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployProtocol } from "../../contracts/scripts/lib/deploy.ts";

const { values } = parseArgs({ options: { rpc: { type: "string" }, key: { type: "string" } } });
if (!values.rpc) throw new Error("--rpc <url> is required");
const transport = sdk.transportFor(values.rpc);
const chainId = await createPublicClient({ transport }).getChainId();
const chain = sdk.chainFor(chainId, values.rpc);
const client = createPublicClient({ chain, transport }) as PublicClient;
const key = (values.key ?? process.env.DEPLOYER_KEY) as Hex | undefined;
const account: Account | Address = key ? privateKeyToAccount(key) : (await createWalletClient({ chain, transport }).getAddresses())[0]!;
const wallet = createWalletClient({ chain, transport, account });
const r = await deployProtocol(wallet as never, client);
console.log(
  JSON.stringify({
    chainId,
    deployer: wallet.account.address,
    contracts: { ...r.prover.addresses, ...r.addresses },
    params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, String(v)])),
    gasUsed: Object.fromEntries(Object.entries(r.gasUsed).map(([k, v]) => [k, Number(v)])),
  }),
);
