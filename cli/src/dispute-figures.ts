/**
 * Figures of one dispute on a long task, on a local chain: a faulty solver diverges in the middle of
 * a >= 10^8-step task (examples/bench/xorshift.wasm), the challenger daemon catches it. Prints the
 * time the challenger took to detect the wrong claim (from the claim's block to its verdict), the
 * number of moves and the total gas of the dispute (challenge, bisections, picks, proof), and the
 * wall time of the game (challenge to resolution). Stops every process it started.
 *
 *   npx tsx cli/src/dispute-figures.ts [--steps 100000000]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as sdk from "@vwasm/sdk";
import { readDeployment } from "@vwasm/solver";
import { compileWasm, runNativeTask } from "@vwasm/wasm-stepper";
import { createPublicClient, createWalletClient, parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { blockTicker, deploy, HARDHAT_KEYS, runLocalScript, ROOT, startChallenger, startNode, startSolver } from "./local.ts";

const { values } = parseArgs({ options: { steps: { type: "string" } } });
const target = Number(values.steps ?? 100_000_000);
type Line = Record<string, unknown> & { at: number };

async function waitLine(lines: Line[], fn: (l: Line) => boolean, ms = 900_000): Promise<Line> {
  const t0 = Date.now();
  for (;;) {
    const l = lines.find(fn);
    if (l) return l;
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const collect = (lines: Line[]) => (line: string, stream: "out" | "err") => {
  if (stream === "err") return void console.error(line);
  try {
    lines.push({ ...(JSON.parse(line) as Record<string, unknown>), at: Date.now() });
  } catch {
    // not a log line
  }
};

runLocalScript(
  "vwasm-figures-",
  async (procs, dir, setTicker) => {
    const wasm = new Uint8Array(readFileSync(join(ROOT, "wasm-stepper/examples/bench/xorshift.wasm")));
    const cm = compileWasm(wasm);
    const u32 = (n: number) => Uint8Array.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
    const per = runNativeTask(cm, { input: u32(1000) }).steps / 1000;
    const input = u32(Math.ceil(target / per));
    const steps = runNativeTask(cm, { input, limits: { maxSteps: 2 * target } }).steps;
    console.log(`task: xorshift, ${steps} steps`);
    const node = await startNode(procs);
    const deployment = join(dir, "deployment.json");
    writeFileSync(deployment, JSON.stringify(deploy(node.url)));
    const addresses = readDeployment(deployment);
    setTicker(blockTicker(node.url, 1000));
    const cl: Line[] = [];
    const sl: Line[] = [];
    startChallenger(procs, { rpc: node.url, deployment, db: join(dir, "challenger-db"), key: HARDHAT_KEYS[3], onLine: collect(cl) });
    startSolver(procs, { rpc: node.url, deployment, db: join(dir, "solver-db"), key: HARDHAT_KEYS[2], faults: `diverge-at=${Math.floor(steps / 2)}`, onLine: collect(sl) });
    await waitLine(cl, (l) => l.msg === "challenger started");
    await waitLine(sl, (l) => l.msg === "solver started");
    const transport = sdk.transportFor(node.url);
    const chain = sdk.chainFor(await createPublicClient({ transport }).getChainId(), node.url);
    const pub = createPublicClient({ chain, transport, pollingInterval: 250 }) as PublicClient;
    const poster = createWalletClient({ chain, transport, account: privateKeyToAccount(HARDHAT_KEYS[0]) });
    const { moduleId } = await sdk.registerModule(poster, { registry: addresses.registry, wasm });
    const p = await sdk.postTask(poster, { market: addresses.market, moduleId, input, limits: { maxSteps: BigInt(2 * target) }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: 600n, solveWindow: 3600n });
    const submitted = await waitLine(sl, (l) => l.msg === "result submitted");
    const checked = await waitLine(cl, (l) => l.msg === "claim checked: WRONG");
    const opened = await waitLine(cl, (l) => l.msg === "challenge opened");
    const resolved = await waitLine(cl, (l) => l.msg === "game resolved");
    const events = (await pub.getContractEvents({ address: addresses.game, abi: sdk.disputeGameAbi, fromBlock: p.receipt.blockNumber, strict: true })).filter(
      (e) => "gameId" in e.args && String((e.args as { gameId: bigint }).gameId) === String(opened.gameId),
    );
    let gas = 0n;
    const txs = new Set(events.map((e) => e.transactionHash));
    for (const h of txs) gas += (await pub.getTransactionReceipt({ hash: h })).gasUsed;
    const moves = events.filter((e) => ["Bisected", "Picked", "StepProven"].includes(e.eventName)).length;
    const proven = cl.find((l) => l.msg === "disputed step found: proving it on-chain");
    console.log(
      JSON.stringify(
        {
          steps,
          detectMs: checked.at - submitted.at,
          checkMs: checked.ms,
          checkEngine: checked.engine,
          moves,
          transactions: txs.size,
          totalGas: Number(gas),
          gameWallMs: resolved.at - opened.at,
          winner: resolved.winner,
          disputedStep: proven?.step,
          instruction: proven?.instruction,
        },
        null,
        2,
      ),
    );
  },
);
