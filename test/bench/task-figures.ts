/**
 * Figures of one task on a real chain: time from post to finalized (the challenge window taken
 * out), the daemon's steps per second while solving (native engine and interpreter), and gas per
 * task for post, claim, submit and finalize. The task: sort.wasm (AssemblyScript) on 65000
 * integers, about 10^8 steps.
 *
 *   npm run bench -w @vwasm/test
 */
import * as sdk from "@vwasm/sdk";
import { parseEther } from "viem";
import { Env, example } from "../helpers/chain.ts";

const WINDOW = 1n;
const env = await Env.start();
try {
  const solver = await env.solver(1);
  const wasm = example("sort");
  const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm });
  const input = new Uint8Array(8);
  new DataView(input.buffer).setUint32(0, 65000, true);
  new DataView(input.buffer).setUint32(4, 9, true);
  const t0 = performance.now();
  const p = await sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 9n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: WINDOW });
  const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, pollingInterval: 100 });
  const total = performance.now() - t0;
  const solved = await solver.waitFor((l) => l.msg === "solved");
  const gas = (msg: string) => Number((await0(solver.lines.find((l) => l.msg === msg)) as { gas: string }).gas);
  const steps = Number(r.steps);
  const out = {
    task: "sort.wasm, 65000 integers",
    steps,
    postToFinalizedMs: Math.round(total),
    challengeWindowMs: Number(WINDOW) * 1000,
    postToFinalizedWithoutWindowMs: Math.round(total - Number(WINDOW) * 1000),
    nativeMs: Number(solved.nativeMs),
    interpreterMs: Number(solved.interpreterMs),
    nativeStepsPerSecond: Math.round((steps * 1000) / Number(solved.nativeMs)),
    interpreterStepsPerSecond: Math.round((steps * 1000) / Number(solved.interpreterMs)),
    gas: { post: Number(p.receipt.gasUsed), claim: gas("claimed"), submit: gas("result submitted"), finalize: gas("finalized") },
    note: "the local chain mines each transaction at once and a block a second besides (its clock): finalize waits for the first block after the window",
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await env.close();
}

function await0<T>(v: T | undefined): T {
  if (v === undefined) throw new Error("log line missing");
  return v;
}
