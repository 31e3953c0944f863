// Lies caught: a faulty solver (fault injection) submits a false result for a real task and defends
// it move by move with a consistent false trace; the challenger daemon re-executes natively, opens a
// game, picks down to one step and proves it: the liar is slashed, the task reopens and the honest
// solver finalizes the true result.
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, parseEther, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let challenger: SolverProcess;
let honest: SolverProcess | undefined;
const wasm = example("sha256");
const input = new TextEncoder().encode("a task a liar will get wrong");
let moduleId: Hex;

beforeAll(async () => {
  env = await Env.start();
  challenger = await env.challenger(3);
  moduleId = (await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm })).moduleId;
});
afterAll(async () => env?.close());

/** Posts the task, lets the faulty solver claim and lie, the challenger win; then the honest solver finalizes. */
async function lieCaught(faults: string, keyIndex: number): Promise<void> {
  const liar = await env.solver(keyIndex, { faults });
  const p = await sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: 6n });
  const taskId = p.taskId.toString();
  await liar.waitFor((l) => l.msg === "result submitted" && String(l.taskId) === taskId);
  honest ??= await env.solver(1);
  const opened = await challenger.waitFor((l) => l.msg === "challenge opened" && String(l.taskId) === taskId);
  const resolved = await challenger.waitFor((l) => l.msg === "game resolved" && String(l.gameId) === String(opened.gameId), 180_000);
  expect(resolved.winner).toBe("challenger");
  const proven = challenger.lines.find((l) => l.msg === "step proven" && String(l.gameId) === String(opened.gameId));
  expect(proven?.winner).toBe("challenger");
  const rejected = await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "ResultRejected", args: { taskId: p.taskId }, fromBlock: 0n, strict: true });
  expect(rejected.length).toBe(1);
  const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 120_000 });
  expect(r.output).toBe(bytesToHex(runV8Task(wasm, { input }).output));
  expect(r.solver).toBe(honest.address);
  await env.procs.stop(liar.child);
}

describe("lies caught by the challenger", () => {
  it("test_e2e_lieInOutputBytes_challengerWins_honestFinalizes", async () => {
    await lieCaught("lie-output", 2);
  });
});
