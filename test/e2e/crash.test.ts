// kill -9 of the solver daemon after it claimed, and again after it submitted: restarted on the same
// database, it still submits, finalizes and is paid.
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, parseEther, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example } from "../helpers/chain.ts";

let env: Env;
beforeAll(async () => {
  env = await Env.start();
});
afterAll(async () => env?.close());

describe("crash and resume", () => {
  it("test_e2e_kill9AfterClaim_and_afterSubmit_restartFinalizesAndIsPaid", async () => {
    const wasm = example("sort");
    const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm });
    const input = Uint8Array.from([0x40, 0x9c, 0, 0, 3, 0, 0, 0]);
    const post = () => sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 9n }, reward: parseEther("0.02"), solverBond: parseEther("0.1"), challengeWindow: 3n });

    // 1. Killed right after its claim is confirmed (before it solved).
    let s = await env.solver(1);
    const db = s.db;
    const a = await post();
    await s.waitFor((l) => l.msg === "claimed" && l.taskId === a.taskId.toString());
    await env.procs.crash(s.child);
    expect((await sdk.getTask(env.pub, { market: env.addresses.market, taskId: a.taskId })).statusName).toBe("claimed");
    s = await env.solver(1, { db });
    await s.waitFor((l) => l.msg === "result submitted" && l.taskId === a.taskId.toString());

    // 2. Killed right after it submitted (before the window passed and it finalized).
    const b = await post();
    await s.waitFor((l) => l.msg === "result submitted" && l.taskId === b.taskId.toString());
    await env.procs.crash(s.child);
    s = await env.solver(1, { db });

    for (const t of [a, b]) {
      const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: t.taskId, fromBlock: t.receipt.blockNumber, timeout: 60_000 });
      expect(r.output).toBe(bytesToHex(runV8Task(wasm, { input }).output));
      expect(r.solver).toBe(s.address);
    }
    await s.waitFor((l) => l.msg === "withdrawn" && l.token === zeroAddress);
    const finals = await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "TaskFinalized", fromBlock: 0n, strict: true });
    expect(finals.map((e) => e.args.taskId).sort()).toEqual([a.taskId, b.taskId]);
    expect(await sdk.getWithdrawable(env.pub, { market: env.addresses.market, account: s.address })).toBe(0n);
  });
});
