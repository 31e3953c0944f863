/**
 * The adversarial half of `npm start`: a faulty solver (fault injection, diverging from the true
 * execution in the middle of a real task) claims a task and submits a false result; the challenger
 * daemon, running since the start beside the honest solver, re-executes the task natively, opens a
 * game and plays it move by move to the one-step proof; the faulty solver's bond is slashed, the
 * challenger paid, the task reopens and the honest solver finalizes the right result.
 */
import * as sdk from "@vwasm/sdk";
import { compileWasm, runNativeTask } from "@vwasm/wasm-stepper";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, formatEther, type Address, type PublicClient, type WalletClient } from "viem";
import type { ChildProcess } from "node:child_process";
import type { DemoTask } from "./demo-tasks.ts";
import { HARDHAT_KEYS, startSolver, type Processes } from "./local.ts";

type Line = Record<string, unknown>;
const s = (v: unknown) => String(v);

/** Readable lines for the game as the daemons log it (pino JSON). */
export function narrate(who: "challenger" | "solver" | "faulty solver", l: Line): string | undefined {
  switch (l.msg) {
    case "claim checked: correct":
      return `[${who}] task ${s(l.taskId)}: re-executed natively (${s(l.steps)} steps, ${s(l.ms)} ms, engine ${s(l.engine)}): the claim is right`;
    case "claim checked: WRONG":
      return `[${who}] task ${s(l.taskId)}: re-executed natively in ${s(l.ms)} ms: the claim is WRONG (${(l.differences as string[]).join("; ")})`;
    case "challenge opened":
      return `[${who}] game ${s(l.gameId)} opened on task ${s(l.taskId)}: bond ${formatEther(BigInt(s(l.bond)))} ETH, disputed range [0, ${s((l.range as unknown[])[1])}]`;
    case "dispute move":
      return l.kind === "bisect" ? `[${who}] game ${s(l.gameId)}: bisects [${s(l.lo)}, ${s(l.hi)}], posting the state hashes at its interior points` : undefined;
    case "trace built":
    case "trace loaded from disk":
      return `[${who}] trace of task ${s(l.taskId)} ${l.msg === "trace built" ? "built" : "loaded from disk"}: ${s(l.steps)} steps, ${s(l.snapshots ?? "")} snapshots`;
    case "pick": {
      const [a, b] = l.from as unknown[];
      const [c, d] = l.to as unknown[];
      return `[${who}] game ${s(l.gameId)}: agrees with ${s(l.agreedHashes)} of ${Number(l.segments) - 1} hashes, picks segment ${s(l.index)}: [${s(a)}, ${s(b)}] -> [${s(c)}, ${s(d)}]`;
    }
    case "disputed step found: proving it on-chain":
      return `[${who}] game ${s(l.gameId)}: down to step ${s(l.step)}: ${s(l.instruction)}; proving it on-chain (${s(l.proofBytes)} bytes)`;
    case "step proven":
      return `[${who}] game ${s(l.gameId)}: step ${s(l.step)} executed by the one-step prover (${s(l.gas)} gas): winner ${s(l.winner)}`;
    case "game resolved":
      return `[${who}] game ${s(l.gameId)} resolved: ${s(l.end)}, winner ${s(l.winner)}`;
    case "FAULT INJECTION: submitting a false result":
      return `[${who}] FAULT INJECTION (${s(l.lie)}): submitting a false result for task ${s(l.taskId)}`;
    case "withdrawn":
      return `[${who}] withdrew ${formatEther(BigInt(s(l.amount)))} ETH`;
    default:
      return undefined;
  }
}

export interface AdversarialContext {
  procs: Processes;
  url: string;
  deployment: string;
  addresses: sdk.ProtocolAddresses;
  pub: PublicClient;
  poster: WalletClient & { account: NonNullable<WalletClient["account"]> };
  task: DemoTask;
  challenger: { address: Address; lines: Line[] };
  /** Stops the honest solver, and starts it again on its database. */
  honest: { stop(): Promise<void>; start(): ChildProcess; address: Address };
  dir: string;
  say: (line: string) => void;
}

async function waitLine(lines: Line[], fn: (l: Line) => boolean, what: string, ms = 180_000): Promise<Line> {
  const t0 = Date.now();
  for (;;) {
    const l = lines.find(fn);
    if (l) return l;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runAdversarial(ctx: AdversarialContext): Promise<void> {
  const { say, task, pub } = ctx;
  const cm = compileWasm(task.wasm);
  const trueSteps = runNativeTask(cm, { input: task.input }).steps;
  const at = Math.floor(trueSteps / 2);
  say(`---- the adversarial part: a faulty solver lies about task "${task.name}" (${trueSteps} steps), diverging at step ${at}`);
  say("          the honest solver pauses so that the faulty one claims the next task; it comes back right after");
  await ctx.honest.stop();
  const faultyLines: Line[] = [];
  const faulty = startSolver(ctx.procs, {
    rpc: ctx.url,
    deployment: ctx.deployment,
    db: `${ctx.dir}/faulty-solver-db`,
    key: HARDHAT_KEYS[2],
    faults: `diverge-at=${at}`,
    onLine: (line, stream) => {
      if (stream === "err") return;
      try {
        const l = JSON.parse(line) as Line;
        faultyLines.push(l);
        const n = narrate("faulty solver", l);
        if (n) say(`          ${n}`);
      } catch {
        // not a log line
      }
    },
  });
  await waitLine(faultyLines, (l) => l.msg === "solver started", "the faulty solver to start", 60_000);
  const reg = await sdk.registerModule(ctx.poster, { registry: ctx.addresses.registry, wasm: task.wasm });
  const p = await sdk.postTask(ctx.poster, { market: ctx.addresses.market, moduleId: reg.moduleId, input: task.input, limits: { maxSteps: 10n ** 9n }, reward: 10n ** 16n, solverBond: 10n ** 17n, challengeWindow: 8n, solveWindow: 300n });
  const taskId = p.taskId;
  say(`task ${taskId}    posted: ${task.what}`);
  const submitted = await waitLine(faultyLines, (l) => l.msg === "result submitted" && s(l.taskId) === s(taskId), "the faulty solver's result");
  say(`task ${taskId}    false result submitted by the faulty solver (pid ${faulty.pid}): final state ${s(submitted.finalStateHash).slice(0, 18)}...`);
  ctx.honest.start();
  say(`          honest solver started again on its database`);
  const liar = (await sdk.getTask(pub, { market: ctx.addresses.market, taskId })).solver;
  const beforeLiar = await sdk.getWithdrawable(pub, { market: ctx.addresses.market, account: liar });
  const opened = await waitLine(ctx.challenger.lines, (l) => l.msg === "challenge opened" && s(l.taskId) === s(taskId), "the challenge");
  const resolved = await waitLine(ctx.challenger.lines, (l) => l.msg === "game resolved" && s(l.gameId) === s(opened.gameId), "the game's end");
  if (resolved.winner !== "challenger") throw new Error(`the challenger did not win game ${s(opened.gameId)}: ${JSON.stringify(resolved)}`);
  const game = await sdk.getGame(pub, { game: ctx.addresses.game, gameId: BigInt(s(opened.gameId)) });
  const moves = (await pub.getContractEvents({ address: ctx.addresses.game, abi: sdk.disputeGameAbi, fromBlock: p.receipt.blockNumber, strict: true })).filter((e) => "gameId" in e.args && s((e.args as { gameId: bigint }).gameId) === s(opened.gameId));
  const credited = await pub.getContractEvents({ address: ctx.addresses.market, abi: sdk.taskMarketAbi, eventName: "Credited", args: { account: ctx.challenger.address }, fromBlock: p.receipt.blockNumber, strict: true });
  const paid = credited.reduce((a, e) => a + e.args.amount, 0n);
  const afterLiar = await sdk.getWithdrawable(pub, { market: ctx.addresses.market, account: liar });
  say(`slashed   the faulty solver ${liar}: its bond of ${formatEther(10n ** 17n)} ETH is gone (nothing credited back: ${formatEther(afterLiar - beforeLiar)} ETH); game ${s(opened.gameId)} ended ${sdk.GAME_END[game.end]} after ${moves.length} events`);
  say(`paid      the challenger ${ctx.challenger.address}: ${formatEther(paid)} ETH credited (its bond back and half the slashed bond; the other half is burned)`);
  const r = await sdk.waitForResult(pub, { market: ctx.addresses.market, taskId, fromBlock: p.receipt.blockNumber, timeout: 180_000 });
  const v8 = bytesToHex(runV8Task(task.wasm, { input: task.input }).output);
  if (r.output !== v8) throw new Error(`task ${taskId}: the finalized output differs from V8's`);
  if (r.solver.toLowerCase() !== ctx.honest.address.toLowerCase()) throw new Error(`task ${taskId} was finalized by ${r.solver}, not the honest solver`);
  say(`task ${taskId}    reopened, claimed by the honest solver and finalized: ${task.show(new Uint8Array(Buffer.from(r.output.slice(2), "hex")))} (equal to V8's output)`);
}
