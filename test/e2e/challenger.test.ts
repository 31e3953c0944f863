// Lies caught: a faulty solver (fault injection) submits a false result for a real task and defends
// it move by move with a consistent false trace; the challenger daemon re-executes natively, opens a
// game, picks down to one step and proves it: the liar is slashed, the task reopens and the honest
// solver finalizes the true result. Also: a lying challenger, two challengers, another challenger
// gone quiet, kill -9 mid-game, silence and timeouts, a game move made during a long claim check.
// Every process a test starts is stopped by pid after it (afterEach), whatever its outcome; the
// honest challenger shared by the tests is restarted when a test stopped it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as sdk from "@vwasm/sdk";
import { runV8Task } from "@vwasm/wasm-stepper/testing";
import { bytesToHex, parseEther, type Hex } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Env, example, type SolverProcess } from "../helpers/chain.ts";

let env: Env;
let shared: SolverProcess | undefined;
let honestDb: string | undefined;
let firstOfTest = 0;
const wasm = example("sha256");
const input = new TextEncoder().encode("a task a liar will get wrong");
const expected = bytesToHex(runV8Task(wasm, { input }).output);
let moduleId: Hex;
const TRUE_STEPS = 12074; // sha256 of `input`: checked in the first test

beforeAll(async () => {
  env = await Env.start();
  moduleId = (await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm })).moduleId;
});
afterAll(async () => env?.close());
beforeEach(() => {
  firstOfTest = env.procs.children.length;
});
afterEach(async () => {
  // Every process this test started, paused ones resumed first so that they stop cleanly.
  for (const child of env.procs.children.slice(firstOfTest).reverse()) {
    if (child === shared?.child) continue;
    try {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGCONT");
    } catch {
      // gone
    }
    await env.procs.stop(child);
  }
});

/** The honest challenger (key 3) the tests share, started again if a test stopped it. */
async function honestChallenger(): Promise<SolverProcess> {
  if (!shared || shared.child.exitCode !== null || shared.child.signalCode !== null) shared = await env.challenger(3);
  return shared;
}

async function stopHonestChallenger(): Promise<void> {
  if (shared) await env.procs.stop(shared.child);
}

const post = (challengeWindow = 6n, ttl?: number) => sdk.postTask(env.poster, { market: env.addresses.market, moduleId, input, limits: { maxSteps: 10n ** 8n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow, ...(ttl !== undefined ? { ttl } : {}) });
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

/** The honest solver's result finalizes, with V8's output; its challenge window is skipped (evm_increaseTime). */
async function finalizedRight(taskId: bigint, block: bigint, honest: SolverProcess, window = 6): Promise<void> {
  for (const t0 = Date.now(); ; ) {
    const t = await sdk.getTask(env.pub, { market: env.addresses.market, taskId });
    if (t.statusName === "finalized" || (t.statusName === "submitted" && t.solver.toLowerCase() === honest.address.toLowerCase())) break;
    if (Date.now() - t0 > 120_000) throw new Error(`task ${taskId}: no result of the honest solver within 120 s (task ${t.statusName})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await advanceTime(window + 1);
  const r = await sdk.waitForResult(env.pub, { market: env.addresses.market, taskId, fromBlock: block, timeout: 120_000 });
  expect(r.output).toBe(expected);
  expect(r.solver).toBe(honest.address);
}

/** A liar claims and lies; the challenger must win by the one-step proof; the honest solver then finalizes. */
async function lieCaught(faults: string): Promise<{ gameId: string; liar: SolverProcess; taskId: bigint }> {
  const challenger = await honestChallenger();
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
  await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
  return { gameId: String(opened.gameId), liar, taskId: p.taskId };
}

describe("lies caught by the challenger", () => {
  it("test_e2e_lieInOutputBytes_challengerWins_liarSlashed_honestFinalizes", async () => {
    const challenger = await honestChallenger();
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
      const proven = (await honestChallenger()).lines.find(is("disputed step found: proving it on-chain", "gameId", gameId))!;
      expect(Number(proven.step)).toBe(step);
      expect(String(proven.instruction)).toMatch(/ at module offset 0x[0-9a-f]+|task bootstrap/);
    });
  }
});

describe("other challengers, crashes and silence", () => {
  it("test_e2e_lyingChallenger_losesItsBond_resultFinalizes", async () => {
    const challenger = await honestChallenger();
    const honest = await honestSolver();
    const liar = await env.challenger(4, { faults: "challenge-honest" });
    const p = await post();
    const opened = await liar.waitFor(is("challenge opened", "taskId", p.taskId));
    const resolved = await liar.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("solver");
    expect(resolved.outcome).toBe("lost");
    // The honest challenger checked the same claim and agreed: no game of its own.
    expect(challenger.lines.some(is("challenge opened", "taskId", p.taskId))).toBe(false);
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
  });

  it("test_e2e_twoChallengersOnOneWrongClaim_claimFallsOnce_secondGameClosed", async () => {
    const challenger = await honestChallenger();
    const second = await env.challenger(4, { policy: { windowMarginSeconds: 4, quietSeconds: 3600 } });
    const liar = await env.solver(2, { faults: "diverge-at=3000" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const honest = await honestSolver();
    await Promise.any([challenger, second].map((c) => c.waitFor(is("challenge opened", "taskId", p.taskId))));
    const rejected = async () => (await env.pub.getContractEvents({ address: env.addresses.market, abi: sdk.taskMarketAbi, eventName: "ResultRejected", args: { taskId: p.taskId }, fromBlock: 0n, strict: true })).length;
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
    // The claim is over: every game on it was opened before it fell.
    const games = [challenger, second].map((c) => c.lines.find(is("challenge opened", "taskId", p.taskId)));
    expect(games.filter((g) => g !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(await rejected()).toBe(1);
    // Every game on the claim is over: one won by its challenger, any other closed with its bond returned.
    const ends = await Promise.all(
      [challenger, second].flatMap((c, i) => (games[i] ? [c.waitFor(is("game resolved", "gameId", games[i]!.gameId), 120_000)] : [])),
    );
    expect(ends.filter((e) => e.winner === "challenger").length).toBe(1);
    for (const e of ends) expect(["won", "closed"]).toContain(e.outcome);
  });

  it("test_e2e_otherChallengerGoesQuiet_thisChallengerOpensItsOwnGame_wins", async () => {
    // A challenger that opens a game on the wrong claim and then never moves (fault injection:
    // silent), and this challenger, started after it: it watches that game, and once the other's
    // turn has lasted quietSeconds it opens its own game within the window and wins it.
    await stopHonestChallenger();
    const quiet = await env.challenger(5, { faults: "silent" });
    const liar = await env.solver(2, { faults: "diverge-at=3000" });
    const p = await post(40n);
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const first = await quiet.waitFor(is("challenge opened", "taskId", p.taskId));
    const watcher = await env.challenger(4, { policy: { quietSeconds: 2, windowMarginSeconds: 0 } });
    await watcher.waitFor(is("the other challenger has gone quiet: opening our own game", "taskId", p.taskId));
    const opened = await watcher.waitFor(is("challenge opened", "taskId", p.taskId));
    expect(String(opened.gameId)).not.toBe(String(first.gameId));
    const quietGame = await sdk.getGame(env.pub, { game: env.addresses.game, gameId: BigInt(String(first.gameId)) });
    expect(quietGame.turnName).toBe("challenger");
    const honest = await honestSolver();
    const resolved = await watcher.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("challenger");
    expect(quiet.lines.some((l) => l.msg === "pick" || l.msg === "step proven")).toBe(false);
    // The task reopened: the honest solver's result stands once its (40 s) window is skipped.
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest, 40);
  });

  it("test_e2e_otherChallengersGameLost_thisChallengerOpensItsOwnGame_wins", async () => {
    // A challenger that opens a game on the wrong claim and then never moves loses it by timeout
    // (the liar claims it); this challenger, which only watched that game (its quiet threshold is
    // longer than the clock), sees the claim still standing after the loss and opens its own game
    // while the window (200,000 s here, longer than the 1-day clock) is still open, and wins it;
    // the honest solver's result then finalizes.
    await stopHonestChallenger();
    const window = 200_000;
    const quiet = await env.challenger(5, { faults: "silent" });
    const liar = await env.solver(2, { faults: "diverge-at=3000" });
    const p = await post(BigInt(window), 2 * window); // the deadline outlives the day the clock runs
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const first = await quiet.waitFor(is("challenge opened", "taskId", p.taskId));
    const watcher = await env.challenger(4, { policy: { quietSeconds: 10_000_000, windowMarginSeconds: 0 } });
    await watcher.waitFor(is("another challenger disputes this claim: watching its game", "taskId", p.taskId));
    await liar.waitFor((l) => l.msg === "dispute move" && String(l.gameId) === String(first.gameId));
    await advanceTime(86_401);
    await liar.waitFor((l) => l.msg === "challenger's clock ran out: timeout claimed" && String(l.gameId) === String(first.gameId), 60_000);
    const lost = await sdk.getGame(env.pub, { game: env.addresses.game, gameId: BigInt(String(first.gameId)) });
    expect(lost.winnerName).toBe("solver");
    const opened = await watcher.waitFor(is("challenge opened", "taskId", p.taskId));
    expect(String(opened.gameId)).not.toBe(String(first.gameId));
    expect(watcher.lines.some(is("the other challenger has gone quiet: opening our own game", "taskId", p.taskId))).toBe(false);
    const honest = await honestSolver();
    const resolved = await watcher.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("challenger");
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest, window);
  });

  it("test_e2e_challengerKilled9MidGame_restartsFromDisk_stillWins", async () => {
    await stopHonestChallenger();
    const c = await env.challenger(4);
    const liar = await env.solver(2, { faults: "diverge-at=5000" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    // Hold the game open: the liar is paused (SIGSTOP) as soon as its claim is in, so the game
    // waits for it; the challenger opens its game, builds its trace (to disk) and is killed.
    process.kill(liar.child.pid!, "SIGSTOP");
    const opened = await c.waitFor(is("challenge opened", "taskId", p.taskId));
    await c.waitFor(is("trace built", "taskId", p.taskId));
    await env.procs.crash(c.child);
    expect((await sdk.getGame(env.pub, { game: env.addresses.game, gameId: BigInt(String(opened.gameId)) })).end).toBe(0);
    const honest = await honestSolver();
    const again = await env.challenger(4, { db: c.db });
    expect(again.lines.find((l) => l.msg === "challenger started")?.resume).toEqual([String(opened.gameId)]);
    process.kill(liar.child.pid!, "SIGCONT");
    const resolved = await again.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("challenger");
    expect(again.lines.some((l) => l.msg === "pick" && String(l.gameId) === String(opened.gameId))).toBe(true);
    expect(again.lines.some(is("trace loaded from disk", "taskId", p.taskId))).toBe(true);
    expect(again.lines.some(is("trace built", "taskId", p.taskId))).toBe(false);
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
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
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
  });

  it("test_e2e_silentSolver_losesByTimeout", async () => {
    const challenger = await honestChallenger();
    const liar = await env.solver(2, { faults: "lie-output,silent" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    const opened = await challenger.waitFor(is("challenge opened", "taskId", p.taskId));
    await advanceTime(86_401);
    const resolved = await challenger.waitFor(is("game resolved", "gameId", opened.gameId), 60_000);
    expect(resolved.end).toBe("timeout");
    expect(resolved.winner).toBe("challenger");
    expect(challenger.lines.some(is("the solver's clock ran out: timeout claimed", "gameId", opened.gameId))).toBe(true);
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
    await finalizedRight(p.taskId, p.receipt.blockNumber, honest);
  });

  it("test_e2e_gameMoveMadeWhileALongClaimCheckRuns", async () => {
    // A claim that runs out of steps is checked by interpreting it whole (10^9 steps, seconds of
    // work even on an idle machine, against a pick that takes a few 300 ms polls), in the
    // challenger's worker thread: its game on another claim moves on meanwhile. Order of events:
    // the check starts, the challenger picks in its game, the check ends.
    const challenger = await honestChallenger();
    const liar = await env.solver(2, { faults: "diverge-at=6001" });
    const p = await post();
    await liar.waitFor(is("result submitted", "taskId", p.taskId));
    process.kill(liar.child.pid!, "SIGSTOP");
    const opened = await challenger.waitFor(is("challenge opened", "taskId", p.taskId));
    const xorshift = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve("@vwasm/wasm-stepper/examples/bench/xorshift.wasm")));
    const long = await sdk.registerModule(env.poster, { registry: env.addresses.registry, wasm: xorshift });
    const q = await sdk.postTask(env.poster, { market: env.addresses.market, moduleId: long.moduleId, input: Uint8Array.from([0, 0, 0, 0x40]), limits: { maxSteps: 10n ** 9n }, reward: parseEther("0.01"), solverBond: parseEther("0.1"), challengeWindow: 6n });
    await honestSolver();
    const checking = await challenger.waitFor(is("checking claim", "taskId", q.taskId), 180_000);
    process.kill(liar.child.pid!, "SIGCONT");
    const checked = await challenger.waitFor(is("claim checked: correct", "taskId", q.taskId), 180_000);
    expect(checked.status).toBe("out_of_steps");
    expect(checked.engine).toBe("interpreter");
    const at = (l: Record<string, unknown>) => challenger.lines.indexOf(l);
    const pick = challenger.lines.find((l) => l.msg === "pick" && String(l.gameId) === String(opened.gameId) && at(l) > at(checking));
    expect(pick, "a pick in the game between the start and the end of the check").toBeDefined();
    expect(at(pick!)).toBeLessThan(at(checked));
    const resolved = await challenger.waitFor(is("game resolved", "gameId", opened.gameId), 180_000);
    expect(resolved.winner).toBe("challenger");
  });
});
