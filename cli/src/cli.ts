/**
 * vwasm: the command line of the protocol.
 *
 *   vwasm up [--port N] [--out deployment.json]          local chain (hardhat node on 127.0.0.1) + deploy; runs until Ctrl-C
 *   vwasm solver [solver options]                        run a solver daemon (see vwasm solver --help)
 *   vwasm post <module.wasm|.wat> [--input <file>] [--wait] ...  register the module, post a task, print its id
 *   vwasm show <taskId>                                  a task as JSON
 *   vwasm list [--count N]                               recent tasks
 *   vwasm withdraw [--token <address>]                   pay out the withdrawable balance
 * Global: --rpc, --deployment, --key (env VWASM_RPC, VWASM_DEPLOYMENT, VWASM_KEY; or --config <file.json>).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import * as sdk from "@vwasm/sdk";
import { compileWasm, isWasmBinary, watToWasm } from "@vwasm/wasm-stepper";
import { formatEther, hexToBytes, isAddress, parseEther, zeroAddress, type Address } from "viem";
import { CliError, clients, type GlobalOptions } from "./clients.ts";
import { blockTicker, deploy, Processes, startNode } from "./local.ts";

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x), 2);

/** The module's Wasm bytes from a .wasm or .wat file. */
export async function readModule(path: string): Promise<Uint8Array> {
  const b = new Uint8Array(readFileSync(path));
  const wasm = isWasmBinary(b) ? b : await watToWasm(new TextDecoder().decode(b), path);
  compileWasm(wasm); // a module outside the deterministic subset fails here, naming why
  return wasm;
}

export function program(): Command {
  const p = new Command("vwasm")
    .description("Verifiable WebAssembly tasks on an EVM chain: post, solve, verify")
    .option("--rpc <url>", "JSON-RPC endpoint, http(s) or ws(s) (env VWASM_RPC; default http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment JSON with the protocol's addresses (env VWASM_DEPLOYMENT; default deployment.json)")
    .option("--key <hex>", "private key for transactions (env VWASM_KEY; never printed)")
    .option("--config <file>", "JSON file with any of rpc, deployment, key (env VWASM_CONFIG)");
  const g = () => p.opts<GlobalOptions>();

  p.command("up")
    .description("start a local chain (hardhat node on 127.0.0.1) and deploy the protocol; runs until Ctrl-C")
    .option("--port <n>", "port", "8545")
    .option("--out <file>", "write the deployment JSON here", "deployment.json")
    .action(async (o: { port: string; out: string }) => {
      const procs = new Processes();
      try {
        const node = await startNode(procs, Number(o.port));
        const d = deploy(node.url);
        writeFileSync(o.out, json({ rpc: node.url, ...d }));
        console.log(`chain ${node.url} (pid ${node.child.pid}); deployment written to ${o.out}`);
        blockTicker(node.url);
        console.log("Ctrl-C stops the chain");
        // Runs until a signal: Processes stops the node (by pid) and exits.
        await new Promise<never>(() => {});
      } finally {
        await procs.stopAll();
      }
    });

  p.command("solver")
    .description("run a solver daemon in the foreground (options: vwasm solver -- --help)")
    .allowUnknownOption(true)
    .helpOption(false)
    .argument("[args...]")
    .action(async (args: string[]) => {
      process.argv = [process.argv[0]!, "vwasm-solver", ...args];
      await import("@vwasm/solver/main");
    });

  p.command("post")
    .description("register a module (if new) and post a task; prints the task id")
    .argument("<module>", ".wasm or .wat file")
    .option("--input <file>", "input file (default: empty input)")
    .option("--input-hex <hex>", "input bytes as hex")
    .option("--reward <eth>", "reward in ETH (or in token units with --token)", "0.01")
    .option("--token <address>", "ERC-20 reward token (approved automatically)")
    .option("--bond <eth>", "solver bond in ETH (at least the market's minSolverBond)", "0.1")
    .option("--max-steps <n>", "step limit", "100000000")
    .option("--challenge-window <s>", "seconds a result stays open to challenges", "600")
    .option("--solve-window <s>", "seconds a claimer has to submit", "600")
    .option("--ttl <s>", "seconds until the task can be cancelled", "3600")
    .option("--wait", "wait for the verified result and print it")
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      const { pub, wallet, addresses } = await clients(g(), true);
      const wasm = await readModule(file);
      const input = o.input ? new Uint8Array(readFileSync(o.input as string)) : o.inputHex ? hexToBytes(o.inputHex as `0x${string}`) : new Uint8Array();
      if (o.token && !isAddress(o.token as string)) throw new CliError(`--token ${o.token} is not an address`);
      const reg = await sdk.registerModule(wallet!, { registry: addresses.registry, wasm });
      const posted = await sdk.postTask(wallet!, {
        market: addresses.market,
        moduleId: reg.moduleId,
        input,
        limits: { maxSteps: BigInt(o.maxSteps as string) },
        reward: parseEther(o.reward as string),
        rewardToken: (o.token as Address | undefined) ?? zeroAddress,
        solverBond: parseEther(o.bond as string),
        challengeWindow: BigInt(o.challengeWindow as string),
        solveWindow: BigInt(o.solveWindow as string),
        ttl: BigInt(o.ttl as string),
      });
      console.log(posted.taskId.toString());
      if (o.wait) {
        const r = await sdk.waitForResult(pub, { market: addresses.market, taskId: posted.taskId, fromBlock: posted.receipt.blockNumber });
        console.log(json(r));
      }
    });

  p.command("show")
    .description("show a task as JSON (with its result once submitted)")
    .argument("<taskId>")
    .action(async (id: string) => {
      const { pub, addresses } = await clients(g(), false);
      const t = await sdk.getTask(pub, { market: addresses.market, taskId: BigInt(id) });
      const result = t.status >= 3 && t.statusName !== "cancelled" ? await sdk.getResult(pub, { market: addresses.market, taskId: t.taskId, attempt: t.attempt }) : undefined;
      console.log(json({ ...t, result }));
    });

  p.command("list")
    .description("list recent tasks")
    .option("--count <n>", "how many", "20")
    .action(async (o: { count: string }) => {
      const { pub, addresses } = await clients(g(), false);
      const { total, tasks } = await sdk.listTasks(pub, { market: addresses.market, count: Number(o.count) });
      console.log(`${total} task(s)`);
      for (const t of tasks) console.log(`${t.taskId}\t${t.statusName}\treward ${t.params.rewardToken === zeroAddress ? formatEther(t.params.reward) + " ETH" : `${t.params.reward} of ${t.params.rewardToken}`}\tsolver ${t.solver}`);
    });

  p.command("withdraw")
    .description("withdraw the account's balance of ETH (or --token) from the market")
    .option("--token <address>", "ERC-20 token (default ETH)")
    .action(async (o: { token?: Address }) => {
      const { wallet, addresses } = await clients(g(), true);
      const r = await sdk.withdraw(wallet!, { market: addresses.market, token: o.token });
      console.log(`withdrew ${o.token ? `${r.amount} of ${o.token}` : `${formatEther(r.amount)} ETH`} (tx ${r.hash})`);
    });
  return p;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  program()
    .parseAsync()
    .catch((e: unknown) => {
      const err = e as { shortMessage?: string; message: string };
      console.error(`vwasm: ${err.shortMessage ?? err.message}`);
      process.exit(1);
    });
}
