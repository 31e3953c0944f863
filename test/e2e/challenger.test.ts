// Lies caught: a faulty solver (fault injection) submits a false result for a real task and defends
// it move by move with a consistent false trace; the challenger daemon re-executes natively, opens a
// game, picks down to one step and proves it: the liar is slashed, the task reopens and the honest
// solver finalizes the true result. Also: a lying challenger, two challengers, kill -9 mid-game,
// silence and timeouts.
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, parseEther, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let challenger: SolverProcess;
let honestDb: string | undefined;
const wasm = example("sha256");
const input = new TextEncoder().encode("a task a liar will get wrong");
const expected = bytesToHex(runV8Task(wasm, { input }).output);
let moduleId: Hex;
const TRUE_STEPS = 12074; // sha256 of `input`: checked in the first test

beforeAll(async () => {
  env = await Env.start();
  challenger = await env.challenger(3);
  moduleId = (await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm })).moduleId;
});
afterAll(async () => env?.close());

const post = () => sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: 6n });
const is = (msg: string, field: string, v: unknown) => (l: Record<string, unknown>) => l.msg === msg && String(l[field]) === String(v);

/** The honest solver (key 1), restarted on its own database each time it is needed. */
async function honestSolver(): Promise<SolverProcess> {
  const s = await env.solver(1, honestDb ? { db: honestDb } : {});
  honestDb = s.db;
  return s;
}

async function advanceTime(seconds: number): Promise<void> {
  await env.pub.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await env.pub.request({ method: "evm_mine" as never, params: [] as never });
}

async function finalizedRight(taskId: bigint, block: bigint, solver: string): Promise<void> {
  const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId, fromBlock: block, timeout: 120_000 });
  expect(r.output).toBe(expected);
  expect(r.solver).toBe(solver);
}

/** A liar claims and lies; the challenger must win by the one-step proof; the honest solver then finalizes. */
async function lieCaught(faults: string): Promise<{ gameId: string; liar: SolverProcess; taskId: bigint }> {
  const liar = await env.solver(2, { faults });
  const p = await post();
  await liar.waitFor(is("result submitted", "taskId", p.taskId));
  const honest = await honestSolver();
  const opened = await challenger.waitFor(is("challenge opened", "taskId", p.taskId));
  const resolved = await challenger.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
  expect(resolved.winner).toBe("challenger");
  expect(challenger.lines.find(is("step proven", "gameId", opened.gameId))?.winner).toBe("challenger");
  const rejected = await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "ResultRejected", args: { taskId: p.taskId }, fromBlock: 0n, strict: true });
  expect(rejected.length).toBe(1);
  await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
  await env.procs.stop(liar.child);
  await env.procs.stop(honest.child);
  return { gameId: String(opened.gameId), liar, taskId: p.taskId };
}

describe("lies caught by the challenger", () => {
  it("test_e2e_lieInOutputBytes_challengerWins_liarSlashed_honestFinalizes", async () => {
    const before = await sdk.getWithdrawable(env.pub, { market: env.addresses.market, account: challenger.address });
    const { liar, gameId } = await lieCaught("lie-output");
    expect(liar.lines.find((l) => l.msg === "FAULT INJECTION: submitting a false result")?.trueSteps).toBe(TRUE_STEPS);
    // The challenger got its bond back plus half the liar's bond (the other half is burned), and withdrew it.
    await challenger.waitFor((l) => l.msg === "withdrawn" && BigInt(String(l.amount)) >= parseEther("0.15") + before);
    // The disputed step is the last one (the output of the final state).
    const proven = challenger.lines.find(is("disputed step found: proving it on-chain", "gameId", gameId))!;
    expect(Number(proven.step)).toBe(TRUE_STEPS - 1);
  });

  for (const [name, faults, step] of [
    ["atTheFirstStep", "diverge-at=1", 0],
    ["inTheMiddle", "diverge-at=6001", 6000],
    ["atTheLastStep", `diverge-at=${TRUE_STEPS}`, TRUE_STEPS - 1],
    ["aboutTheStepCount", "lie-steps", TRUE_STEPS - 2],
  ] as const) {
    it(`test_e2e_lie_${name}_challengerWins`, async () => {
      const { gameId } = await lieCaught(faults);
      const proven = challenger.lines.find(is("disputed step found: proving it on-chain", "gameId", gameId))!;
      expect(Number(proven.step)).toBe(step);
      expect(String(proven.instruction)).toMatch(/ at module offset 0x[0-9a-f]+|task bootstrap/);
    });
  }
});

describe("other challengers, crashes and silence", () => {
  it("test_e2e_lyingChallenger_losesItsBond_resultFinalizes", async () => {
    const honest = await honestSolver();
    const liar = await env.challenger(4, { faults: "challenge-honest" });
    const p = await post();
    const opened = await liar.waitFor(is("challenge opened", "taskId", p.taskId));
    const resolved = await liar.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("solver");
    expect(resolved.outcome).toBe("lost");
    // The honest challenger checked the same claim and agreed: no game of its own.
    expect(challenger.lines.some(is("challenge opened", "taskId", p.taskId))).toBe(false);
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
    await env.procs.stop(liar.child);
    await env.procs.stop(honest.child);
  });

  it("test_e2e_twoChallengersOnOneWrongClaim_claimFallsOnce_secondGameClosed", async () => {
    const second = await env.challenger(4, { policy: { windowMarginSeconds: 4, quietSeconds: 3600 } });
    const liar = await env.solver(2, { faults: "diverge-at=3000" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const honest = await honestSolver();
    const games = await Promise.all([challenger, second].map((c) => c.waitFor(is("challenge opened", "taskId", p.taskId), 60_000).catch(() => undefined)));
    const opened = games.filter((g) => g !== undefined);
    expect(opened.length).toBeGreaterThanOrEqual(1);
    const rejected = async () => (await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "ResultRejected", args: { taskId: p.taskId }, fromBlock: 0n, strict: true })).length;
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
    expect(await rejected()).toBe(1);
    // Every game on the claim is over: one won by its challenger, any other closed with its bond returned.
    const ends = await Promise.all(
      [challenger, second].flatMap((c, i) => (games[i] ? [c.waitFor(is("game resolved", "gameId", games[i]!.gameId), 120_000)] : [])),
    );
    expect(ends.filter((e) => e.winner === "challenger").length).toBe(1);
    for (const e of ends) expect(["won", "closed"]).toContain(e.outcome);
    await Promise.all([second, liar, honest].map((s) => env.procs.stop(s.child)));
  });

  it("test_e2e_challengerKilled9MidGame_restartsFromDisk_stillWins", async () => {
    const c = await env.challenger(4, { policy: {} });
    await env.procs.stop(challenger.child);
    const liar = await env.solver(2, { faults: "diverge-at=5000" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const honest = await honestSolver();
    const opened = await c.waitFor(is("challenge opened", "taskId", p.taskId));
    // Hold the game in the middle: the liar is paused (SIGSTOP) after its first bisection, so the
    // challenger's pick leaves the game waiting; the challenger is then killed and restarted.
    await liar.waitFor((l) => l.msg === "dispute move" && String(l.gameId) === String(opened.gameId));
    process.kill(liar.child.pid!, "SIGSTOP");
    await c.waitFor(is("pick", "gameId", opened.gameId));
    await env.procs.crash(c.child);
    const again = await env.challenger(4, { db: c.db });
    process.kill(liar.child.pid!, "SIGCONT");
    const resolved = await again.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("challenger");
    expect(again.lines.some((l) => l.msg === "trace loaded from disk" && String(l.taskId) === String(p.taskId))).toBe(true);
    expect(again.lines.some((l) => l.msg === "trace built" && String(l.taskId) === String(p.taskId))).toBe(false);
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
    challenger = again;
    await Promise.all([liar, honest].map((s) => env.procs.stop(s.child)));
  });

  it("test_e2e_solverKilled9MidGame_restartsFromDisk_beatsLyingChallenger", async () => {
    let honest = await honestSolver();
    const liar = await env.challenger(2, { faults: "challenge-honest" });
    const p = await post();
    const opened = await liar.waitFor(is("challenge opened", "taskId", p.taskId));
    // Hold the game in the middle: the lying challenger is paused (SIGSTOP) once the solver has
    // answered, the solver killed and restarted, then the challenger resumed.
    await honest.waitFor((l) => l.msg === "dispute move" && String(l.gameId) === String(opened.gameId));
    process.kill(liar.child.pid!, "SIGSTOP");
    await env.procs.crash(honest.child);
    honest = await honestSolver();
    process.kill(liar.child.pid!, "SIGCONT");
    const resolved = await liar.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("solver");
    expect(honest.lines.some((l) => l.msg === "trace loaded from disk")).toBe(true);
    expect(honest.lines.some((l) => l.msg === "trace built")).toBe(false);
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
    await Promise.all([liar, honest].map((s) => env.procs.stop(s.child)));
  });

  it("test_e2e_silentSolver_losesByTimeout", async () => {
    const liar = await env.solver(2, { faults: "lie-output,silent" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const opened = await challenger.waitFor(is("challenge opened", "taskId", p.taskId));
    await advanceTime(86_401);
    const resolved = await challenger.waitFor(is("game resolved", "gameId", opened.gameId), 60_000);
    expect(resolved.end).toBe("timeout");
    expect(resolved.winner).toBe("challenger");
    expect(challenger.lines.some(is("the solver's clock ran out: timeout claimed", "gameId", opened.gameId))).toBe(true);
    await env.procs.stop(liar.child);
  });

  it("test_e2e_silentChallenger_losesByTimeout", async () => {
    const honest = await honestSolver();
    const liar = await env.challenger(2, { faults: "challenge-honest,silent" });
    const p = await post();
    const opened = await liar.waitFor(is("challenge opened", "taskId", p.taskId));
    await honest.waitFor((l) => l.msg === "dispute move" && String(l.gameId) === String(opened.gameId));
    await advanceTime(86_401);
    await honest.waitFor((l) => l.msg === "challenger's clock ran out: timeout claimed" && String(l.gameId) === String(opened.gameId), 60_000);
    const g = await sdk.getGame(env.pub, { game: env.addresses.game, gameId: BigInt(String(opened.gameId)) });
    expect(sdk.GAME_END[g.end]).toBe("timeout");
    expect(g.winnerName).toBe("solver");
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest.address);
    await Promise.all([liar, honest].map((s) => env.procs.stop(s.child)));
  });
});
