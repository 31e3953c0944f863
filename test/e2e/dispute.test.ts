// A challenger disputes an honest result: the solver daemon answers every bisection from its Trace
// and, at one step, sends the one-step proof itself; it wins the game, and the result finalizes.
import * as sdk from "@vwasm/sdk";
import { HARDHAT_KEYS } from "@vwasm/cli";
import type { Hex } from "viem";
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let solver: SolverProcess;
beforeAll(async () => {
  env = await Env.start();
  solver = await env.solver(1);
});
afterAll(async () => env?.close());

describe("dispute", () => {
  it("test_e2e_wrongChallenge_solverDefendsWithBisectionsAndProof_winsAndFinalizes", async () => {
    const { moduleId } = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm: example("crc32") });
    const p = await sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input: new TextEncoder().encode("dispute me"), limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: 60n });
    await solver.waitFor((l) => l.msg === "result submitted" && l.taskId === p.taskId.toString());

    // The challenger disputes the (correct) result and always picks the last segment.
    const challenger = env.wallet(HARDHAT_KEYS[3]);
    const { gameId } = await sdk.challenge(challenger, { game: env.addresses.game, taskId: p.taskId });
    let picks = 0;
    for (;;) {
      const g = await sdk.getGame(env.pub, { game: env.addresses.game, gameId });
      if (g.end !== 0) break;
      if (g.turnName === "challenger" && g.hi - g.lo > 1n) {
        const bis = await env.pub.getContractEvents({ address: env.addresses.game, abi: sdk.disputeGameAbi, eventName: "Bisected", args: { gameId }, fromBlock: 0n, strict: true });
        const hashes = bis[bis.length - 1]!.args.hashes as readonly Hex[];
        await sdk.pick(challenger, { game: env.addresses.game, gameId, hashes, index: BigInt(hashes.length) });
        picks++;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const g = await sdk.getGame(env.pub, { game: env.addresses.game, gameId });
    expect(g.winnerName).toBe("solver");
    expect(sdk.GAME_END[g.end]).toBe("stepProven");
    expect(picks).toBeGreaterThan(0);
    // The proof is mined before the solver logs it: wait for its line, then read the moves.
    await solver.waitFor((l) => l.msg === "dispute move" && l.kind === "prove");
    const moves = solver.lines.filter((l) => l.msg === "dispute move").map((l) => l.kind);
    expect(moves.filter((k) => k === "bisect").length).toBe(picks);
    expect(moves[moves.length - 1]).toBe("prove");
    expect(await env.metrics(solver)).toContain("vwasm_solver_disputes_total 1");

    const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId: p.taskId, fromBlock: p.receipt.blockNumber, timeout: 120_000 });
    expect(r.solver).toBe(solver.address);
    expect(r.status).toBe("finished");
  });
});
