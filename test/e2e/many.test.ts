// 20 tasks posted at once, two solver daemons: each task finalized exactly once, outputs V8's.
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let solvers: SolverProcess[];
beforeAll(async () => {
  env = await Env.start();
  solvers = [await env.solver(1), await env.solver(2)];
});
afterAll(async () => env?.close());

describe("many tasks, two solvers", () => {
  it("test_e2e_20Tasks_twoDaemons_eachFinalizedExactlyOnce", async () => {
    const wasm = example("crc32");
    const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm });
    const inputs = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`task number ${i} `.repeat(i + 1)));
    const posted = [];
    for (const input of inputs) posted.push(await sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.001"), solverBond: parseEther("0.1"), challengeWindow: 2n }));
    const results = await Promise.all(posted.map((p) => sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 200_000 })));
    results.forEach((r, i) => expect(r.output).toBe(bytesToHex(runV8Task(wasm, { input: inputs[i]! }).output)));
    const finals = await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "TaskFinalized", fromBlock: 0n, strict: true });
    const ids = finals.map((e) => e.args.taskId);
    expect(new Set(ids).size).toBe(20);
    expect(ids.length).toBe(20);
    const bySolver = new Set(results.map((r) => r.solver));
    for (const s of bySolver) expect(solvers.map((x) => x.address)).toContain(s);
  });
});
