/**
 * Funds conservation (fast-check): for random sequences of posts (ETH and ERC-20 rewards), claims, true and false
 * results, games, bisections, picks, one-step proofs, timeouts, closes, finalizations, expiries, cancellations,
 * withdrawals and time travel, after every operation: the market's ETH balance equals the escrowed ETH rewards +
 * the solver bonds held + every withdrawable ETH balance; its token balance equals the escrowed token rewards +
 * every withdrawable token balance; the game's balance equals the bonds of its open games. Operations that revert
 * are part of the sequences (they must change nothing).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Abi, Address, Hex } from "viem";
import { Trace, compileWasm } from "@vwasm/wasm-stepper";
import { hex } from "./helpers/stepper.mts";
import { deployProtocolContract } from "./helpers/chain";
import { loadProtocolArtifact } from "../scripts/lib/artifacts";
import { ETH, Protocol, TASK_LIMITS, lyingView, honestView, marketAbi, positions, resultOf, taskParams, trueResult, withOutput, type Result, type SolverView } from "./helpers/protocol.mts";

const K = 4;
const WINDOW = 600;
const BOND = 10n ** 17n;
const tokenAbi = loadProtocolArtifact("HookToken").abi as Abi;

let P: Protocol;
let token: Address;
let id: Hex;
let trace: Trace;
let truth: Result;
let fake: Result;
let views: { true: SolverView; fake: SolverView };
const input = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
let users: Address[];
const lastHashes = new Map<bigint, Hex[]>();

beforeAll(async () => {
  P = await Protocol.deploy({ k: K, clockSeconds: WINDOW, challengerBond: BOND, minSolverBond: BOND });
  users = P.accounts.slice(1, 7);
  const wasm = new Uint8Array(readFileSync(new URL("./examples/sum-input.wasm", new URL("./", import.meta.resolve("@vwasm/wasm-stepper/package.json")))));
  const cm = await compileWasm(wasm);
  id = await P.register(cm, wasm);
  trace = await Trace.create({ cm, opts: { input, limits: TASK_LIMITS } }, { workers: 0 });
  truth = trueResult(cm, input, TASK_LIMITS);
  fake = resultOf(withOutput(truth.header, Uint8Array.of(1)), Uint8Array.of(1));
  views = { true: honestView(trace), fake: lyingView(trace, 200, truth.steps, fake.finalStateHash) };
  token = await deployProtocolContract(P.d, "HookToken");
  for (const u of users) {
    await P.must(u, token, tokenAbi, "mint", [u, 10n ** 24n]);
    await P.must(u, token, tokenAbi, "approve", [P.market, 2n ** 255n]);
  }
});

afterAll(async () => {
  await trace?.close();
});

interface TaskView {
  params: { rewardToken: Address; reward: bigint; solverBond: bigint };
  status: number;
  solver: Address;
  result: { finalStateHash: Hex };
}
interface GameView {
  taskId: bigint;
  lo: bigint;
  hi: bigint;
  turn: number;
  end: number;
  solver: Address;
  challenger: Address;
}

async function checkConservation(): Promise<void> {
  const nTasks = await P.readMarket<bigint>("taskCount");
  let ethHeld = 0n,
    tokenHeld = 0n;
  for (let t = 1n; t <= nTasks; t++) {
    const v = await P.readMarket<TaskView>("getTask", [t]);
    const live = v.status >= 1 && v.status <= 3;
    if (live && v.params.rewardToken === ETH) ethHeld += v.params.reward;
    if (live && v.params.rewardToken !== ETH) tokenHeld += v.params.reward;
    if (v.status === 2 || v.status === 3) ethHeld += v.params.solverBond;
  }
  for (const a of P.accounts) {
    ethHeld += await P.readMarket<bigint>("withdrawable", [a, ETH]);
    tokenHeld += await P.readMarket<bigint>("withdrawable", [a, token]);
  }
  expect(await P.balance(P.market)).toBe(ethHeld);
  expect(await P.read(token, tokenAbi, "balanceOf", [P.market])).toBe(tokenHeld);
  const nGames = await P.readGame<bigint>("gameCount");
  let open = 0n;
  for (let g = 1n; g <= nGames; g++) if ((await P.readGame<GameView>("getGame", [g])).end === 0) open++;
  expect(await P.balance(P.game)).toBe(open * BOND);
}

type Op =
  | { kind: "post"; who: number; erc20: boolean; reward: number; deadline: number }
  | { kind: "claim" | "submitTrue" | "submitFake" | "finalize" | "expire" | "cancel"; task: number; who: number }
  | { kind: "challenge"; task: number; who: number }
  | { kind: "bisect" | "proveStep" | "timeout" | "close"; game: number; who: number }
  | { kind: "pick"; game: number; index: number }
  | { kind: "withdraw"; who: number; erc20: boolean }
  | { kind: "travel"; seconds: number }
  | { kind: "lifecycle"; who: number; erc20: boolean; honest: boolean }
  | { kind: "playOut"; game: number; seed: number };

const who = fc.integer({ min: 0, max: 5 });
const ref = fc.integer({ min: 0, max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("post" as const), who, erc20: fc.boolean(), reward: fc.integer({ min: 0, max: 1000 }), deadline: fc.integer({ min: 100, max: 4000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("claim" as const), task: ref, who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("submitTrue" as const, "submitFake" as const), task: ref, who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("finalize" as const, "expire" as const, "cancel" as const), task: ref, who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("challenge" as const), task: ref, who }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("bisect" as const), game: ref, who }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("pick" as const), game: ref, index: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("proveStep" as const, "timeout" as const, "close" as const), game: ref, who }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), who, erc20: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("travel" as const), seconds: fc.constantFrom(10, 10, 300, 700, 700, 5000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("lifecycle" as const), who, erc20: fc.boolean(), honest: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("playOut" as const), game: ref, seed: fc.integer({ min: 0, max: 1000 }) }) },
);

/** Picks one of the three newest ids by reference (ids start at 1), or 0 when there is none yet. */
async function pickId(count: string, readFn: (fn: string) => Promise<bigint>, r: number): Promise<bigint> {
  const n = await readFn(count);
  return n === 0n ? 0n : n - BigInt(r % Math.min(Number(n), 3));
}

/** The solver's bisection: the true trace's hashes for the true result, the lie's for the false one. */
async function bisect(g: bigint, v: GameView): Promise<void> {
  const task = await P.readMarket<TaskView>("getTask", [v.taskId]);
  const view = task.result.finalStateHash === truth.finalStateHash ? views.true : views.fake;
  const hashes = await view(positions(Number(v.lo), Number(v.hi), K));
  const r = await P.game_(v.solver, "bisect", [g, hashes]);
  if (r.ok) lastHashes.set(g, hashes);
}

async function apply(op: Op): Promise<void> {
  const u = (i: number) => users[i]!;
  switch (op.kind) {
    case "post": {
      const params = taskParams({ moduleId: id, rewardToken: op.erc20 ? token : ETH, reward: BigInt(op.reward) * 10n ** 15n, solverBond: BOND, solveWindow: WINDOW, challengeWindow: WINDOW, deadline: (await P.now()) + BigInt(op.deadline) }, await P.now());
      await P.market_(u(op.who), "postTask", [params, hex(input)], op.erc20 ? 0n : params.reward);
      return;
    }
    case "travel":
      return P.travel(op.seconds);
    case "withdraw":
      await P.market_(u(op.who), "withdraw", [op.erc20 ? token : ETH]);
      return;
    case "lifecycle": {
      const params = taskParams({ moduleId: id, rewardToken: op.erc20 ? token : ETH, reward: 10n ** 16n, solverBond: BOND, solveWindow: WINDOW, challengeWindow: WINDOW, deadline: (await P.now()) + 3000n }, await P.now());
      await P.market_(u(op.who), "postTask", [params, hex(input)], op.erc20 ? 0n : params.reward);
      await checkConservation();
      const t = await P.readMarket<bigint>("taskCount");
      const s = u((op.who + 1) % users.length);
      await P.market_(s, "claimTask", [t], BOND);
      await checkConservation();
      const r = op.honest ? truth : fake;
      await P.market_(s, "submitResult", [t, r.finalStateHash, r.headerWords, r.output]);
      return;
    }
    case "playOut": {
      const g = await pickId("gameCount", (fn) => P.readGame<bigint>(fn), op.game);
      if (g === 0n) return;
      let x = op.seed;
      for (let i = 0; i < 30; i++) {
        const v = await P.readGame<GameView>("getGame", [g]);
        if (v.end !== 0) return;
        if (v.turn === 1) await bisect(g, v);
        else if (v.hi - v.lo > 1) {
          const hashes = lastHashes.get(g) ?? [];
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          await P.game_(v.challenger, "pick", [g, hashes, BigInt(x % (hashes.length + 1))]);
        } else await P.game_(users[0]!, "proveStep", [g, hex(trace.proveStep(Number(v.lo)).proof)]);
        await checkConservation();
      }
      return;
    }
    case "pick": {
      const g = await pickId("gameCount", (fn) => P.readGame<bigint>(fn), op.game);
      if (g === 0n) return;
      const v = await P.readGame<GameView>("getGame", [g]);
      const hashes = lastHashes.get(g) ?? [];
      await P.game_(v.challenger, "pick", [g, hashes, BigInt(op.index % (hashes.length + 1))]);
      return;
    }
  }
  if ("task" in op) {
    const t = await pickId("taskCount", (fn) => P.readMarket<bigint>(fn), op.task);
    if (t === 0n) return;
    const v = await P.readMarket<TaskView>("getTask", [t]);
    const solver = v.solver === ETH ? u(op.who) : v.solver;
    switch (op.kind) {
      case "claim":
        await P.market_(u(op.who), "claimTask", [t], BOND);
        return;
      case "submitTrue":
      case "submitFake": {
        const r = op.kind === "submitTrue" ? truth : fake;
        await P.market_(solver, "submitResult", [t, r.finalStateHash, r.headerWords, r.output]);
        return;
      }
      case "challenge":
        await P.game_(u(op.who), "challenge", [t], BOND);
        return;
      case "finalize":
        await P.market_(u(op.who), "finalize", [t]);
        return;
      case "expire":
        await P.market_(u(op.who), "expireClaim", [t]);
        return;
      case "cancel":
        await P.market_(u(op.who), "cancelTask", [t]);
        return;
    }
  }
  if ("game" in op) {
    const g = await pickId("gameCount", (fn) => P.readGame<bigint>(fn), op.game);
    if (g === 0n) return;
    const v = await P.readGame<GameView>("getGame", [g]);
    switch (op.kind) {
      case "bisect":
        return bisect(g, v);
      case "proveStep":
        if (v.hi - v.lo === 1n) await P.game_(users[op.who]!, "proveStep", [g, hex(trace.proveStep(Number(v.lo)).proof)]);
        return;
      case "timeout":
        await P.game_(users[op.who]!, "timeout", [g]);
        return;
      case "close":
        await P.game_(users[op.who]!, "close", [g]);
        return;
    }
  }
}

describe("funds conservation", () => {
  it("test_conservation_randomOperationSequences_balancesEqualLiabilities", async () => {
    let ops = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 40 }), async (seq) => {
        for (const op of seq) {
          await apply(op);
          ops++;
          await checkConservation();
        }
      }),
      { numRuns: 6, seed: 20261128, endOnFailure: true },
    );
    // Drain: every clock runs out, every game ends, every task ends, everyone withdraws: nothing is left behind.
    await P.travel(3 * WINDOW + 5000);
    const nG = await P.readGame<bigint>("gameCount");
    for (let g = 1n; g <= nG; g++) {
      if ((await P.readGame<GameView>("getGame", [g])).end === 0) expect((await P.game_(users[0]!, "timeout", [g])).ok).toBe(true);
      await checkConservation();
    }
    const nT = await P.readMarket<bigint>("taskCount");
    for (let t = 1n; t <= nT; t++) {
      const v = await P.readMarket<TaskView & { poster: Address }>("getTask", [t]);
      if (v.status === 3) expect((await P.market_(users[0]!, "finalize", [t])).ok).toBe(true);
      if (v.status === 1 || v.status === 2) expect((await P.market_(v.poster, "cancelTask", [t])).ok).toBe(true);
      await checkConservation();
    }
    for (const a of P.accounts)
      for (const tk of [ETH, token]) if ((await P.readMarket<bigint>("withdrawable", [a, tk])) > 0n) expect((await P.market_(a, "withdraw", [tk])).ok).toBe(true);
    await checkConservation();
    expect([await P.balance(P.market), await P.balance(P.game), await P.read(token, tokenAbi, "balanceOf", [P.market])]).toEqual([0n, 0n, 0n]);
    // The sequences did reach the interesting states.
    const nGames = await P.readGame<bigint>("gameCount");
    const ends = new Set<number>();
    for (let g = 1n; g <= nGames; g++) ends.add((await P.readGame<GameView>("getGame", [g])).end);
    const statuses = new Set<number>();
    for (let t = 1n; t <= (await P.readMarket<bigint>("taskCount")); t++) statuses.add((await P.readMarket<TaskView>("getTask", [t])).status);
    console.log(`conservation: ${ops} operations, ${nGames} games (ends ${[...ends].sort()}), task statuses ${[...statuses].sort()}`);
    expect(ops).toBeGreaterThan(100);
    expect(nGames).toBeGreaterThan(3n);
    expect([...statuses].sort()).toEqual([4, 5]);
    expect(ends.has(1) && ends.has(2)).toBe(true);
  });
});
