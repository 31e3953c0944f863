/**
 * `npm start`: the whole honest path on a real local chain, as users run it.
 * Starts a hardhat node on 127.0.0.1, deploys the protocol, starts a solver daemon as its own
 * process, registers real programs (AssemblyScript, wasm-stepper/examples/as) and posts tasks with
 * real inputs, then follows each: claimed, submitted, challenge window, finalized, paid. Every output
 * is checked against V8 running the same module. A challenger daemon checks every claim from the
 * start; then a faulty solver (fault injection) lies about a task and the game is played and
 * narrated move by move (adversarial.ts): "slashed", then the honest solver's "finalized". Exits 0 when every task is finalized and the solver
 * has withdrawn its pay; stops every process it started (by pid), also on failure.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, createPublicClient, createWalletClient, formatEther, hexToBytes, parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoTasks } from "./demo-tasks.ts";
import { blockTicker, deploy, HARDHAT_KEYS, runLocalScript, startChallenger, startNode, startSolver } from "./local.ts";
import { narrate, runAdversarial } from "./adversarial.ts";

const CHALLENGE_WINDOW = 4n;
const REWARD = parseEther("0.01");
const BOND = parseEther("0.1");
const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`;
const say = (s: string) => console.log(`${clock()}  ${s}`);

runLocalScript(
  "vwasm-start-",
  async (procs, dir, setTicker) => {
    say("starting a local chain (hardhat node on 127.0.0.1)...");
    const node = await startNode(procs);
    say(`chain     ${node.url} (pid ${node.child.pid})`);
    const d = deploy(node.url);
    const deployment = join(dir, "deployment.json");
    writeFileSync(deployment, JSON.stringify(d));
    const { readDeployment } = await import("@vwasm/solver");
    const addresses = readDeployment(deployment);
    say(`deployed  ModuleRegistry ${addresses.registry}`);
    say(`          TaskMarket     ${addresses.market}`);
    say(`          DisputeGame    ${addresses.game}`);
    setTicker(blockTicker(node.url, 1000));

    const solverAccount = privateKeyToAccount(HARDHAT_KEYS[1]);
    // The challenger daemon watches every claim from the start (the adversarial part below).
    const challengerLines: Record<string, unknown>[] = [];
    const challengerAccount = privateKeyToAccount(HARDHAT_KEYS[3]);
    const challenger = startChallenger(procs, {
      rpc: node.url,
      deployment,
      db: join(dir, "challenger-db"),
      key: HARDHAT_KEYS[3],
      onLine: (line, stream) => {
        if (stream === "err") return void console.error(`          [challenger stderr] ${line}`);
        try {
          const l = JSON.parse(line) as Record<string, unknown>;
          challengerLines.push(l);
          if (l.msg === "challenger listening") say(`challenger pid ${challenger.pid}, account ${challengerAccount.address}, metrics ${String(l.metrics)}`);
          const n = narrate("challenger", l);
          if (n) say(`          ${n}`);
        } catch {
          // not a log line
        }
      },
    });
    let withdrawnWei = 0n;
    const solverOptions = {
      rpc: node.url,
      deployment,
      db: join(dir, "solver-db"),
      key: HARDHAT_KEYS[1],
      onLine: (line: string, stream: "out" | "err") => {
        if (stream === "err") return void console.error(`          [solver stderr] ${line}`);
        try {
          const l = JSON.parse(line) as { msg: string; taskId?: string; amount?: string; metrics?: string; err?: string; reason?: string; steps?: number };
          if (l.msg === "solver listening") say(`solver    pid ${solver.pid}, account ${solverAccount.address}, metrics ${l.metrics}`);
          if (l.msg === "withdrawn") {
            withdrawnWei += BigInt(l.amount!);
            say(`          [solver] withdrew ${formatEther(BigInt(l.amount!))} ETH from the market`);
          }
          if (l.msg === "tick failed; retrying with backoff") say(`          [solver] ${l.err} (retrying)`);
          if (l.msg === "task refused" || l.msg === "task failed") say(`          [solver] task ${l.taskId}: ${l.reason}`);
          const n = narrate("solver", l as Record<string, unknown>);
          if (n && l.msg === "dispute move") say(`          ${n}`);
        } catch {
          // not a log line
        }
      },
    };
    let solver = startSolver(procs, solverOptions);

    const transport = sdk.transportFor(node.url);
    const chain = sdk.chainFor(await createPublicClient({ transport }).getChainId(), node.url);
    const pub = createPublicClient({ chain, transport, pollingInterval: 250 });
    const poster = createWalletClient({ chain, transport, account: privateKeyToAccount(HARDHAT_KEYS[0]) });
    say(`poster    ${poster.account.address}`);
    const solverBefore = await pub.getBalance({ address: solverAccount.address });

    const tasks = demoTasks();
    const posted: { name: string; taskId: bigint; block: bigint; t: number }[] = [];
    for (const task of tasks) {
      const reg = await sdk.registerModule(poster, { registry: addresses.registry, wasm: task.wasm });
      const p = await sdk.postTask(poster, {
        market: addresses.market,
        moduleId: reg.moduleId,
        input: task.input,
        limits: { maxSteps: 10n ** 9n },
        reward: REWARD,
        solverBond: BOND,
        challengeWindow: CHALLENGE_WINDOW,
        solveWindow: 300n,
      });
      posted.push({ name: task.name, taskId: p.taskId, block: p.receipt.blockNumber, t: Date.now() });
      say(`task ${p.taskId}    posted ${task.file} (AssemblyScript): ${task.what}`);
      say(`          module ${reg.moduleId.slice(0, 18)}... ${reg.registered ? "registered now" : "already registered"}; reward ${formatEther(REWARD)} ETH escrowed, solver bond ${formatEther(BOND)} ETH, challenge window ${CHALLENGE_WINDOW} s`);
    }

    await Promise.all(
      posted.map(async ({ name, taskId, block, t }) => {
        const task = tasks.find((x) => x.name === name)!;
        const r = await sdk.waitForResult(pub, {
          market: addresses.market,
          taskId,
          fromBlock: block,
          timeout: 180_000,
          onStatus: async (s) => {
            if (s === "claimed") {
              const tk = await sdk.getTask(pub, { market: addresses.market, taskId });
              say(`task ${taskId}    claimed by ${tk.solver}${tk.solver === solverAccount.address ? " (our solver daemon)" : ""}, bond ${formatEther(tk.params.solverBond)} ETH posted`);
            }
            if (s === "submitted") {
              const tk = await sdk.getTask(pub, { market: addresses.market, taskId });
              const res = await sdk.getResult(pub, { market: addresses.market, taskId, attempt: tk.attempt, fromBlock: block });
              say(`task ${taskId}    result submitted: ${res.status}, ${res.steps} steps; challenge window open until ${new Date(Number(tk.challengeDeadline) * 1000).toISOString().slice(11, 19)} (chain time)`);
            }
          },
        });
        const output = hexToBytes(r.output);
        const v8 = runV8Task(task.wasm, { input: task.input });
        if (r.status !== "finished" || bytesToHex(v8.output) !== r.output) throw new Error(`task ${taskId} (${name}): the verified output differs from V8's run of the same module`);
        if (task.expect && bytesToHex(task.expect(task.input)) !== r.output) throw new Error(`task ${taskId} (${name}): the output differs from the independent reference`);
        say(`task ${taskId}    finalized in ${((Date.now() - t) / 1000).toFixed(1)} s: ${task.show(output)}`);
        say(`          output verified: equal to V8 running the same module${task.expect ? " and to Node's own SHA-256" : ""}; reward ${formatEther(REWARD)} ETH + bond credited to the solver`);
      }),
    );

    // Every reward and bond is credited at finalization; the daemon withdraws them on its next passes.
    const owed = BigInt(posted.length) * (REWARD + BOND);
    const t1 = Date.now();
    while (withdrawnWei < owed && Date.now() - t1 < 30_000) await new Promise((r) => setTimeout(r, 250));
    const left = await sdk.getWithdrawable(pub, { market: addresses.market, account: solverAccount.address });
    const solverAfter = await pub.getBalance({ address: solverAccount.address });
    if (withdrawnWei < owed || left !== 0n) throw new Error(`the solver withdrew ${formatEther(withdrawnWei)} of ${formatEther(owed)} ETH within 30 s`);
    say(`paid      the solver withdrew ${formatEther(withdrawnWei)} ETH: ${posted.length} rewards of ${formatEther(REWARD)} ETH and its ${posted.length} bonds of ${formatEther(BOND)} ETH; nothing left in the market`);
    say(`          its balance grew by ${formatEther(solverAfter - solverBefore)} ETH, the ${formatEther(BigInt(posted.length) * REWARD)} ETH of rewards less its gas`);
    await runAdversarial({
      procs,
      url: node.url,
      deployment,
      addresses,
      pub: pub as never,
      poster: poster as never,
      task: tasks.find((t) => t.name === "sha256")!,
      challenger: { address: challengerAccount.address, lines: challengerLines },
      honest: {
        address: solverAccount.address,
        stop: () => procs.stop(solver),
        start: () => (solver = startSolver(procs, solverOptions)),
      },
      dir,
      say,
    });
    say(`done      every task finalized with the right result; stopping every process started (solvers, challenger, the chain pid ${node.child.pid})`);
  },
  (e) => `npm start failed: ${(e as Error).stack ?? e}`,
);
