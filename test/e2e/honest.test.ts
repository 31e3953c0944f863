// Honest tasks on a real hardhat node with a solver daemon process: each finalizes with V8's output,
// ETH and ERC-20 rewards are paid and withdrawn by the daemon.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HARDHAT_KEYS } from "@vwasm/cli";
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, createPublicClient, erc20Abi, parseEther, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

const require = createRequire(import.meta.url);
let env: Env;
let solver: SolverProcess;
const REWARD = parseEther("0.01");
const BOND = parseEther("0.1");

beforeAll(async () => {
  env = await Env.start();
  solver = await env.solver(1);
});
afterAll(async () => env?.close());

async function post(name: string, input: Uint8Array, extra: Partial<sdk.PostTaskParameters> = {}) {
  const wasm = example(name);
  const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm });
  const p = await sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 9n }, reward: REWARD, solverBond: BOND, challengeWindow: 3n, ...extra });
  return { ...p, wasm };
}

describe("honest path", () => {
  it("test_e2e_ethRewards_finalizeWithV8Output_paidAndWithdrawn", async () => {
    const inputs: [string, Uint8Array][] = [
      ["sha256", new TextEncoder().encode("hello, verifiable world\n".repeat(30))],
      ["bigint", new TextEncoder().encode("150")],
      ["sort", Uint8Array.from([0x10, 0x27, 0, 0, 7, 0, 0, 0])],
    ];
    // One account sends one transaction at a time (nonces), as a dapp would.
    const posted = [];
    for (const [n, i] of inputs) posted.push(await post(n, i));
    for (const [k, p] of posted.entries()) {
      const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 120_000 });
      const v8 = runV8Task(p.wasm, { input: inputs[k]![1] });
      expect(r.status).toBe("finished");
      expect(r.output).toBe(bytesToHex(v8.output));
      expect(r.solver).toBe(solver.address);
      const task = await sdk.getTask(env.pub, { market: env.addresses.market, taskId: p.taskId });
      expect(task.statusName).toBe("finalized");
    }
    await solver.waitFor((l) => l.msg === "withdrawn" && l.token === zeroAddress);
    const withdrawn = await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "Withdrawn", args: { account: solver.address }, fromBlock: 0n, strict: true });
    const total = withdrawn.filter((e) => e.args.token === zeroAddress).reduce((s, e) => s + e.args.amount, 0n);
    expect(total).toBeGreaterThanOrEqual(3n * (REWARD + BOND));
    expect(await sdk.getWithdrawable(env.pub, { market: env.addresses.market, account: solver.address })).toBe(0n);
    const m = await env.metrics(solver);
    expect(m).toMatch(/vwasm_solver_tasks_solved_total [3-9]/);
    expect(m).toMatch(/vwasm_solver_steps_per_second\{engine="native"\} \d/);
  });

  it("test_e2e_erc20Reward_approvedPaidAndWithdrawn", async () => {
    const token = await env.deployToken(10n ** 24n);
    // The daemon's default policy accepts ETH only: a second daemon accepts this token.
    const tokenSolver = await env.solver(2, { policy: { assets: { [token]: "0" } } });
    const input = new TextEncoder().encode("pay me in tokens");
    const reward = 12345n * 10n ** 15n;
    const p = await post("crc32", input, { rewardToken: token, reward });
    expect(p.approval).toBeDefined();
    const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 120_000 });
    expect(r.output).toBe(bytesToHex(runV8Task(p.wasm, { input }).output));
    expect(r.solver).toBe(tokenSolver.address);
    await tokenSolver.waitFor((l) => l.msg === "withdrawn" && String(l.token).toLowerCase() === token.toLowerCase());
    expect(await env.pub.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [tokenSolver.address] })).toBe(reward);
    expect(await sdk.getWithdrawable(env.pub, { market: env.addresses.market, account: tokenSolver.address, token })).toBe(0n);
    // The ETH-only daemon refused it by policy, with the reason.
    await solver.waitFor((l) => l.msg === "task refused" && l.taskId === p.taskId.toString() && String(l.reason).includes("not accepted by the policy"));
  });

  it("test_e2e_cli_postWait_show_list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vwasm-cli-e2e-"));
    const inputFile = join(dir, "input.txt");
    writeFileSync(inputFile, "posted from the command line");
    const env2 = { ...process.env, VWASM_KEY: HARDHAT_KEYS[0] };
    // Asynchronous: this process mines the chain's blocks (its clock), which a synchronous spawn would stop.
    const vwasm = (args: string[]) =>
      new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
        execFile(process.execPath, [require.resolve("@vwasm/cli/bin/vwasm.mjs"), "--rpc", env.url, "--deployment", env.deployment, ...args], { encoding: "utf8", env: env2, timeout: 120_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`vwasm ${args[0]} failed: ${stderr}`, { cause: err })) : resolve({ stdout, stderr }),
        ),
      );
    const posted = await vwasm(["post", require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm"), "--input", inputFile, "--challenge-window", "2", "--wait"]);
    expect(posted.stderr).toBe("");
    const [id, ...rest] = posted.stdout.split("\n");
    expect(id).toMatch(/^\d+$/);
    const result = JSON.parse(rest.join("\n")) as { status: string; output: string };
    expect(result.status).toBe("finished");
    expect(result.output).toBe(`0x${createHash("sha256").update("posted from the command line").digest("hex")}`);
    const shown = JSON.parse((await vwasm(["show", id!])).stdout) as { statusName: string; result: { output: string } };
    expect(shown.statusName).toBe("finalized");
    expect(shown.result.output).toBe(result.output);
    expect((await vwasm(["list"])).stdout).toMatch(new RegExp(`\\n${id}\\tfinalized\\t`));
    expect(posted.stdout + posted.stderr).not.toContain(HARDHAT_KEYS[0].slice(2));
  });

  it("test_e2e_websocketEndpoint_readsTheSameTasks", async () => {
    const ws = createPublicClient({ chain: env.pub.chain, transport: sdk.transportFor(env.url.replace(/^http/, "ws")) });
    const [viaWs, viaHttp] = await Promise.all([sdk.listTasks(ws, { market: env.addresses.market }), sdk.listTasks(env.pub, { market: env.addresses.market })]);
    expect(viaWs.total).toBe(viaHttp.total);
    expect(viaWs.tasks.map((t) => [t.taskId, t.statusName])).toEqual(viaHttp.tasks.map((t) => [t.taskId, t.statusName]));
    const first = viaWs.tasks[0]!;
    const r = await sdk.waitForResult(ws, { market: env.addresses.market, taskId: first.taskId });
    expect(r.solver).toBe(first.solver);
  });

  it("test_e2e_sdkErrors_unknownTaskAndWrongPhase_decoded", async () => {
    await expect(sdk.getTask(env.pub, { market: env.addresses.market, taskId: 10_000n })).rejects.toBeInstanceOf(sdk.TaskNotFoundError);
    const done = (await sdk.listTasks(env.pub, { market: env.addresses.market })).tasks.find((t) => t.statusName === "finalized")!;
    const e = await sdk.claimTask(env.poster, { market: env.addresses.market, taskId: done.taskId }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(sdk.ContractRevertError);
    expect((e as sdk.ContractRevertError).errorName).toBe("WrongPhase");
    expect((e as sdk.ContractRevertError).shortMessage).toMatch(/^TaskMarket\.claimTask reverted with WrongPhase\(4\): the task is not in the phase/);
  });
});
