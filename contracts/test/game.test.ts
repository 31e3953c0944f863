/**
 * DisputeGame on REAL traces: the honest party (wasm-stepper's Trace.hashesAt for its hashes, Trace.proveStep for
 * the one-step proof) wins every game: a solver lying from the first step, from a middle step, at the last step
 * (status), about the step count (fewer and more steps), only in the output bytes; a challenger lying against an
 * honest solver; either party silent (timeout); two challengers on one wrong result; an honest-trace and a lying
 * challenger on one right result. After each game the market's state and balances are checked: a refuted result
 * reopens the task and pays the challenger, a standing one finalizes and pays the solver. Games are also rebuilt
 * from their events alone (with the blocks' timestamps for the clocks) and compared with getGame.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { Trace, compileWasm, type CompiledModule } from "@vwasm/wasm-stepper";
import { hex } from "./helpers/stepper.mts";
import {
  Protocol,
  ETH,
  TASK_LIMITS,
  marketAbi,
  gameAbi,
  honestView,
  lyingView,
  positions,
  resultOf,
  taskParams,
  trueResult,
  withOutput,
  type Result,
  type SolverView,
  type TxResult,
  type GameView,
} from "./helpers/protocol.mts";

const why = (r: TxResult) => (r.ok ? "ok" : r.error);

const K = 4;
const CLOCK = 7200;
const BOND = 10n ** 17n; // challenger bond
const SOLVER_BOND = 2n * 10n ** 17n;
const REWARD = 10n ** 18n;

let P: Protocol;
let cm: CompiledModule;
let id: Hex;
let trace: Trace;
const input = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 255);
let truth: Result;
let poster: Address, solver: Address, alice: Address, bob: Address, carol: Address;

beforeAll(async () => {
  P = await Protocol.deploy({ k: K, clockSeconds: CLOCK, challengerBond: BOND, minSolverBond: SOLVER_BOND });
  [, poster, solver, alice, bob, carol] = P.accounts as [Address, Address, Address, Address, Address, Address];
  const wasm = new Uint8Array(readFileSync(new URL("./examples/sum-input.wasm", new URL("./", import.meta.resolve("@vwasm/wasm-stepper/package.json")))));
  cm = await compileWasm(wasm);
  id = await P.register(cm, wasm);
  trace = await Trace.create({ cm, opts: { input, limits: TASK_LIMITS } }, { workers: 0 });
  truth = trueResult(cm, input, TASK_LIMITS);
  expect(truth.steps).toBe(trace.steps);
});

afterAll(async () => {
  await trace?.close();
});

/** Posts the task and has `by` claim it and submit `r`; returns the task id. */
async function postAndSubmit(r: Result, by = solver): Promise<bigint> {
  const now = await P.now();
  const rec = await P.must(poster, P.market, marketAbi, "postTask", [taskParams({ moduleId: id, solverBond: SOLVER_BOND, reward: REWARD }, now), hex(input)], REWARD);
  const taskId = P.events(rec).find((e) => e.eventName === "TaskPosted")!.args.taskId as bigint;
  await submit(taskId, r, by);
  return taskId;
}

async function submit(taskId: bigint, r: Result, by: Address): Promise<void> {
  const c = await P.market_(by, "claimTask", [taskId], SOLVER_BOND);
  expect(c.ok, why(c)).toBe(true);
  const s = await P.market_(by, "submitResult", [taskId, r.finalStateHash, r.headerWords, r.output]);
  expect(s.ok, why(s)).toBe(true);
}

async function open(taskId: bigint, challenger: Address): Promise<bigint> {
  const r = await P.game_(challenger, "challenge", [taskId], BOND);
  if (!r.ok) throw new Error(r.error);
  return P.events(r.receipt).find((e) => e.eventName === "GameOpened")!.args.gameId as bigint;
}

const game = (g: bigint) => P.readGame<GameView>("getGame", [g]);

/**
 * A game's state rebuilt from the chain alone: its events (and their blocks' timestamps for the clocks), as a
 * daemon resuming a game does. Compared field by field with getGame.
 */
async function rebuild(g: bigint): Promise<Record<string, unknown>> {
  const logs = await P.d.client.getContractEvents({ address: P.game, abi: gameAbi, args: { gameId: g }, fromBlock: 0n });
  const st: Record<string, unknown> = {};
  let turnStarted = 0n;
  const spend = async (blockNumber: bigint, clock: "solverClock" | "challengerClock") => {
    const t = (await P.d.client.getBlock({ blockNumber })).timestamp;
    st[clock] = (st[clock] as bigint) - (t - turnStarted);
    turnStarted = t;
  };
  for (const log of logs) {
    const a = (log as unknown as { args: Record<string, unknown> }).args;
    const name = (log as unknown as { eventName: string }).eventName;
    if (name === "GameOpened") {
      Object.assign(st, { taskId: a.taskId, attempt: a.attempt, solver: a.solver, challenger: a.challenger, lo: a.lo, hi: a.hi, loHash: a.loHash, hiHash: a.hiHash, solverClock: a.clock, challengerClock: a.clock, end: 0, winner: 0 });
      st.turn = (a.hi as bigint) - (a.lo as bigint) === 1n ? CHALLENGER : SOLVER;
      turnStarted = (await P.d.client.getBlock({ blockNumber: log.blockNumber! })).timestamp;
    } else if (name === "Bisected") {
      await spend(log.blockNumber!, "solverClock");
      st.movesHash = keccak256(encodeAbiParameters([{ type: "bytes32[]" }], [a.hashes as Hex[]]));
      st.turn = CHALLENGER;
    } else if (name === "Picked") {
      await spend(log.blockNumber!, "challengerClock");
      Object.assign(st, { lo: a.lo, hi: a.hi, loHash: a.loHash, hiHash: a.hiHash });
      st.turn = (a.hi as bigint) - (a.lo as bigint) === 1n ? CHALLENGER : SOLVER;
    } else if (name === "StepProven") {
      await spend(log.blockNumber!, "challengerClock");
    } else if (name === "GameResolved") {
      Object.assign(st, { end: a.end, winner: a.winner, turn: 0 });
    }
  }
  st.turnStarted = turnStarted;
  return st;
}

async function expectRebuilt(g: bigint): Promise<void> {
  const onChain = (await game(g)) as unknown as Record<string, unknown>;
  const rebuilt = await rebuild(g);
  if (onChain.end === 2) delete rebuilt.solverClock, delete rebuilt.challengerClock; // a timeout zeroes the loser's clock
  for (const [k, v] of Object.entries(rebuilt)) expect(onChain[k], `game ${g} field ${k}`).toEqual(v);
}

type Picker = (ps: number[], hashes: Hex[]) => Promise<number>;
/** The honest challenger: the first segment whose end differs from its own trace (the last if none does). */
const honestPicker: Picker = async (ps, hashes) => {
  const own = (await trace.hashesAt(ps)).map(hex);
  const j = own.findIndex((h, i) => h !== hashes[i]);
  return j < 0 ? hashes.length : j;
};
/** A lying challenger: disputes a segment chosen by a seeded sequence, whatever the hashes say. */
function randomPicker(seed: number): Picker {
  let x = seed;
  return async (_ps, hashes) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % (hashes.length + 1);
  };
}

/**
 * Plays one move of game `g` (the bisection, the pick, or the one-step proof by `prover`); returns false once the
 * game is over. `silent` parties never move.
 */
async function move(g: bigint, view: SolverView, picker: Picker, prover: Address | undefined): Promise<boolean> {
  const s = await game(g);
  if (s.end !== 0) return false;
  const lo = Number(s.lo),
    hi = Number(s.hi);
  if (s.turn === 1) {
    const ps = positions(lo, hi, K);
    expect((await P.readGame<bigint[]>("positions", [s.lo, s.hi])).map(Number)).toEqual(ps);
    const r = await P.game_(s.solver, "bisect", [g, await view(ps)]);
    expect(r.ok, why(r)).toBe(true);
    return true;
  }
  if (hi - lo > 1) {
    const ps = positions(lo, hi, K);
    const hashes = await view(ps);
    const r = await P.game_(s.challenger, "pick", [g, hashes, BigInt(await picker(ps, hashes))]);
    expect(r.ok, why(r)).toBe(true);
    return true;
  }
  if (!prover) return false;
  const proof = trace.proveStep(lo);
  expect(hex(proof.before)).toBe(s.loHash);
  const r = await P.game_(prover, "proveStep", [g, hex(proof.proof)]);
  expect(r.ok, why(r)).toBe(true);
  return true;
}

async function play(g: bigint, view: SolverView, picker: Picker, prover: Address): Promise<GameView> {
  for (let i = 0; i < 200 && (await move(g, view, picker, prover)); i++);
  return game(g);
}

const SOLVER = 1,
  CHALLENGER = 2;

/** Balance checks after a refutation: the challenger has its bond and half the solver's bond; the task is open. */
async function expectRefuted(taskId: bigint, challenger: Address, before: bigint): Promise<void> {
  const t = await P.readMarket<{ status: number; openGames: number }>("getTask", [taskId]);
  expect(t.status).toBe(1); // Open again
  expect(await P.readMarket<bigint>("withdrawable", [challenger, ETH])).toBe(before + BOND + SOLVER_BOND / 2n);
}

describe("dispute game on real traces", () => {
  const lies: { name: string; make: () => { r: Result; view: SolverView } }[] = [
    {
      name: "solver lies from the first step",
      make: () => {
        const fake = resultOf(withOutput(truth.header, Uint8Array.of(1, 2, 3, 4)), Uint8Array.of(1, 2, 3, 4));
        return { r: fake, view: lyingView(trace, 1, truth.steps, fake.finalStateHash) };
      },
    },
    {
      name: "solver lies from a middle step",
      make: () => {
        const fake = resultOf(withOutput(truth.header, Uint8Array.of(9, 9, 9, 9)), Uint8Array.of(9, 9, 9, 9));
        return { r: fake, view: lyingView(trace, Math.floor(truth.steps / 2), truth.steps, fake.finalStateHash) };
      },
    },
    {
      name: "solver lies at the last step (claims a trap)",
      make: () => {
        const fake = resultOf({ ...truth.header, status: 2, trap: 1 }, Buffer.from(truth.output.slice(2), "hex"));
        return { r: fake, view: lyingView(trace, truth.steps, truth.steps, fake.finalStateHash) };
      },
    },
    {
      name: "solver lies about n (fewer steps)",
      make: () => {
        const n = truth.steps - 3;
        const fake = resultOf({ ...truth.header, steps: n }, Buffer.from(truth.output.slice(2), "hex"));
        return { r: fake, view: lyingView(trace, n, n, fake.finalStateHash) };
      },
    },
    {
      name: "solver lies about n (more steps)",
      make: () => {
        const n = truth.steps + 37;
        const fake = resultOf({ ...truth.header, steps: n }, Buffer.from(truth.output.slice(2), "hex"));
        return { r: fake, view: lyingView(trace, n, n, fake.finalStateHash) };
      },
    },
    {
      name: "solver lies only in the output bytes",
      make: () => {
        const out = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
        const fake = resultOf(withOutput(truth.header, out), out);
        return { r: fake, view: lyingView(trace, truth.steps, truth.steps, fake.finalStateHash) };
      },
    },
  ];

  for (const lie of lies) {
    it(`test_game_${lie.name.replace(/[^a-z0-9]+/gi, "_")}_honestChallengerWins`, async () => {
      const { r, view } = lie.make();
      const taskId = await postAndSubmit(r);
      const before = await P.readMarket<bigint>("withdrawable", [alice, ETH]);
      const g = await open(taskId, alice);
      const end = await play(g, view, honestPicker, alice);
      expect(end.end).toBe(1); // StepProven
      expect(end.winner).toBe(CHALLENGER);
      await expectRefuted(taskId, alice, before);
      // The task reopened: an honest solver finalizes it with the true result.
      await submit(taskId, truth, carol);
      await P.travel(3601);
      expect((await P.market_(bob, "finalize", [taskId])).ok).toBe(true);
      const t = await P.readMarket<{ status: number; result: { finalStateHash: Hex } }>("getTask", [taskId]);
      expect(t.status).toBe(4);
      expect(t.result.finalStateHash).toBe(truth.finalStateHash);
    });
  }

  it("test_game_lyingChallenger_honestSolverWins_andIsPaid", async () => {
    const taskId = await postAndSubmit(truth);
    const before = await P.readMarket<bigint>("withdrawable", [solver, ETH]);
    const g = await open(taskId, bob);
    const end = await play(g, honestView(trace), randomPicker(7), solver);
    expect(end.end).toBe(1);
    expect(end.winner).toBe(SOLVER);
    expect(await P.readMarket<bigint>("withdrawable", [solver, ETH])).toBe(before + BOND / 2n);
    await P.travel(3601);
    expect((await P.market_(bob, "finalize", [taskId])).ok).toBe(true);
    expect(await P.readMarket<bigint>("withdrawable", [solver, ETH])).toBe(before + BOND / 2n + REWARD + SOLVER_BOND);
  });

  it("test_game_silentSolver_timesOut_challengerWins", async () => {
    const fake = resultOf(withOutput(truth.header, Uint8Array.of(5)), Uint8Array.of(5));
    const taskId = await postAndSubmit(fake);
    const before = await P.readMarket<bigint>("withdrawable", [alice, ETH]);
    const g = await open(taskId, alice);
    expect(why(await P.game_(bob, "timeout", [g]))).toBe("ClockNotRunOut");
    await P.travel(CLOCK + 1);
    expect(why(await P.game_(solver, "bisect", [g, await lyingView(trace, 1, truth.steps, fake.finalStateHash)(positions(0, truth.steps, K))]))).toBe("ClockRanOut");
    expect((await P.game_(bob, "timeout", [g])).ok).toBe(true);
    const end = await game(g);
    expect([end.end, end.winner]).toEqual([2, CHALLENGER]);
    await expectRefuted(taskId, alice, before);
  });

  it("test_game_silentChallenger_afterMoves_timesOut_solverWins", async () => {
    const taskId = await postAndSubmit(truth);
    const g = await open(taskId, bob);
    const view = honestView(trace);
    await move(g, view, randomPicker(1), undefined); // bisect
    await move(g, view, randomPicker(1), undefined); // pick
    await move(g, view, randomPicker(1), undefined); // bisect
    // The challenger owes a pick and stays silent; the solver's clock does not run meanwhile.
    const solverLeft = await P.readGame<bigint>("clockLeft", [g, SOLVER]);
    await P.travel(CLOCK);
    expect(await P.readGame<bigint>("clockLeft", [g, SOLVER])).toBe(solverLeft);
    expect(await P.readGame<bigint>("clockLeft", [g, CHALLENGER])).toBe(0n);
    expect((await P.game_(carol, "timeout", [g])).ok).toBe(true);
    const end = await game(g);
    expect([end.end, end.winner]).toEqual([2, SOLVER]);
    expect(why(await P.game_(carol, "timeout", [g]))).toBe("GameOver");
  });

  it("test_game_twoChallengers_wrongResult_firstWinnerRefutes_otherClosesWithBondBack", async () => {
    const fake = resultOf(withOutput(truth.header, Uint8Array.of(7, 7)), Uint8Array.of(7, 7));
    const view = lyingView(trace, 100, truth.steps, fake.finalStateHash);
    const taskId = await postAndSubmit(fake);
    const aliceBefore = await P.readMarket<bigint>("withdrawable", [alice, ETH]);
    const bobBefore = await P.readMarket<bigint>("withdrawable", [bob, ETH]);
    const g1 = await open(taskId, alice);
    const g2 = await open(taskId, bob);
    expect((await P.readMarket<{ openGames: number }>("getTask", [taskId])).openGames).toBe(2);
    // Interleave the two games; alice's finishes first.
    for (let i = 0; i < 3; i++) {
      await move(g1, view, honestPicker, alice);
      await move(g2, view, honestPicker, bob);
    }
    await expectRebuilt(g2);
    const e1 = await play(g1, view, honestPicker, alice);
    expect([e1.end, e1.winner]).toEqual([1, CHALLENGER]);
    await expectRebuilt(g1);
    await expectRefuted(taskId, alice, aliceBefore);
    // Bob's game no longer matters: close() returns his bond.
    expect((await P.game_(carol, "close", [g2])).ok).toBe(true);
    const e2 = await game(g2);
    expect([e2.end, e2.winner]).toEqual([3, 0]);
    expect(await P.readMarket<bigint>("withdrawable", [bob, ETH])).toBe(bobBefore + BOND);
    expect(why(await P.game_(bob, "bisect", [g2, []]))).toBe("GameOver");
  });

  it("test_game_twoChallengers_rightResult_honestTraceAndLiar_bothLose_resultFinal", async () => {
    const taskId = await postAndSubmit(truth);
    const before = await P.readMarket<bigint>("withdrawable", [solver, ETH]);
    const g1 = await open(taskId, alice); // follows the true trace: agrees everywhere, disputes the end
    const g2 = await open(taskId, bob); // picks at random
    await P.travel(3601);
    expect(why(await P.market_(carol, "finalize", [taskId]))).toBe("GamesOpen");
    const view = honestView(trace);
    const e1 = await play(g1, view, honestPicker, solver);
    const e2 = await play(g2, view, randomPicker(3), solver);
    await expectRebuilt(g1);
    await expectRebuilt(g2);
    expect([e1.end, e1.winner, e2.end, e2.winner]).toEqual([1, SOLVER, 1, SOLVER]);
    expect((await P.market_(carol, "finalize", [taskId])).ok).toBe(true);
    expect(await P.readMarket<bigint>("withdrawable", [solver, ETH])).toBe(before + BOND + REWARD + SOLVER_BOND);
  });
});
