/**
 * Game: the dispute game on the contracts (ModuleRegistry, TaskMarket, DisputeGame and the prover
 * deployed on hardhat's in-process chain, `@vwasm/contracts/protocol`), played to its end on the
 * real trace of a generated task (wasm-stepper's `Trace`). One party lies, the other is honest:
 *
 * - a lying solver against an honest challenger: it diverges at a random step with a consistent
 *   false trace (the machine's state perturbed at that step, then executed on: every later hash
 *   is a real state of the perturbed machine, and it claims that machine's end), diverges with
 *   hashes of no state at all, lies about the step count (fewer or more steps), lies only in the
 *   output, or goes silent at a random turn;
 * - an honest solver against a lying challenger: it picks at random, follows a consistent false
 *   trace of its own, or goes silent at a random turn (the one-step point included).
 *
 * The honest party must win: the game ends by the one-step proof (or the liar's clock), the bonds
 * move as the rules say (a refuted solver's bond is split, the challenger gets its bond back and
 * half of it; a lying challenger's bond is split with the solver), and the task ends finalized
 * with the true result (after an honest solver resubmits it when the liar's was refuted).
 */
import fc from "fast-check";
import { Machine, StateCommitment, Trace, moduleId } from "@vwasm/wasm-stepper";
import type { Header } from "@vwasm/wasm-stepper/state";
import { prepareHardhatInProcess } from "@vwasm/contracts/testing";
import type * as ProtocolHelpers from "@vwasm/contracts/protocol";
import type { Address, Hex } from "viem";
import { stepRecording, type Coverage } from "../coverage.ts";
import { buildTask, instantiateTask, showTask, taskSeedArb, taskSeedFromJSON, taskSeedToJSON, type BuiltTask, type TaskSeed } from "../gen/cases.ts";
import { DEFAULT_SHAPE, type ProgramShape } from "../gen/program.ts";
import { OracleFailure, type Oracle } from "../oracle.ts";
import { hex } from "./bytes.ts";
import { chainProver } from "./chain.ts";

/** Games replay their task's trace many times: tasks are kept to a few thousand steps. */
export const GAME_SHAPE: ProgramShape = { ...DEFAULT_SHAPE, maxSteps: 5000 };

export const SOLVER_LIES = ["diverge", "junk", "fewerSteps", "moreSteps", "output", "silent"] as const;
export const CHALLENGER_LIES = ["random", "falseTrace", "silent"] as const;
export type Lie = `solver:${(typeof SOLVER_LIES)[number]}` | `challenger:${(typeof CHALLENGER_LIES)[number]}`;
export const LIES: readonly Lie[] = [...SOLVER_LIES.map((l) => `solver:${l}` as const), ...CHALLENGER_LIES.map((l) => `challenger:${l}` as const)];

export interface GameCase {
  task: TaskSeed;
  /** Who lies and how. */
  lie: Lie;
  /** Where: the step a lie starts at is 1 + at mod (steps), a false step count is derived from it too. */
  at: number;
  /** The liar's turn at which it goes silent (silent lies). */
  turn: number;
  /** Drives the random choices (picks, which part of the state a false trace perturbs, false output bytes). */
  seed: number;
}

const SOLVER = 1;
const CHALLENGER = 2;
const END_NAMES = ["none", "StepProven", "Timeout", "ResultFell", "ResultFinal"];
const TASK_OPEN = 1;
const TASK_FINALIZED = 4;
const REWARD = 10n ** 18n;
const SOLVER_BOND = 2n * 10n ** 17n;
const WINDOW = 3600;
/** Far enough for a reopened task to be claimed again after a game's clock ran out. */
const DEADLINE = 365n * 86_400n;

interface World {
  H: typeof ProtocolHelpers;
  P: ProtocolHelpers.Protocol;
  k: number;
  bond: bigint;
  clock: number;
  poster: Address;
  solver: Address;
  challenger: Address;
  resubmitter: Address;
  anyone: Address;
}

let world: Promise<World> | undefined;

/** The protocol, deployed once per process on the in-process chain (next to the prover oracle's prover set). */
function gameWorld(): Promise<World> {
  world ??= (async () => {
    await prepareHardhatInProcess();
    const H = await import("@vwasm/contracts/protocol");
    const P = await H.Protocol.deploy({}, (await chainProver()).deployed);
    const [, poster, solver, challenger, resubmitter, anyone] = P.accounts as [Address, Address, Address, Address, Address, Address];
    const p = P.r.params;
    return { H, P, k: p.k, bond: p.challengerBond, clock: p.clockSeconds, poster, solver, challenger, resubmitter, anyone };
  })();
  return world;
}

/** A deterministic stream of numbers from the case's seed (a 32-bit LCG). */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % Math.max(1, n);
  };
}

/** A party's hashes at positions of the dissection. */
type View = (ps: number[]) => Promise<Hex[]>;

interface Claim {
  result: ProtocolHelpers.Result;
  /** The claimant's hashes (its claimed end at result.steps). */
  view: View;
  what: string;
}

/**
 * A consistent false trace: the true machine up to step `s`, where one bit of its state (the top
 * value stack slot, a memory byte or a global, as `r` picks) is flipped; it then runs on, and every
 * later hash is a real state of that machine. Undefined when the state has nothing to flip.
 */
export function falseTrace(t: BuiltTask, s: number, r: (n: number) => number): { hashes: Map<number, Hex>; header: Header; output: Uint8Array; flipped: string } | undefined {
  const m = Machine.forTask(t.cm, { input: t.input, limits: t.limits });
  m.runTo(s);
  const snap = m.snapshot();
  const targets: string[] = [];
  if (snap.sp > 0) targets.push("stack");
  if (snap.memory.length > 0) targets.push("memory");
  if (snap.globals.length > 0) targets.push("global");
  if (targets.length === 0) return undefined;
  const target = targets[r(targets.length)]!;
  let flipped: string;
  if (target === "stack") {
    snap.stack[(snap.sp - 1) * 2]! ^= 1 << r(32);
    flipped = `stack slot ${snap.sp - 1}`;
  } else if (target === "memory") {
    const a = r(snap.memory.length);
    snap.memory[a]! ^= 1 << r(8);
    flipped = `memory byte ${a}`;
  } else {
    const g = r(snap.globals.length / 2);
    snap.globals[g * 2]! ^= 1 << r(32);
    flipped = `global ${g}`;
  }
  // every page may now hold a non-zero byte: the commitment rebuilds the memory tree
  delete snap.nonZeroPages;
  m.restore(snap);
  const sc = new StateCommitment(m);
  const hashes = new Map<number, Hex>([[s, hex(sc.stateHash())]]);
  while (m.status === "running") {
    m.step();
    hashes.set(m.steps, hex(sc.stateHash()));
  }
  return { hashes, header: sc.header(), output: m.result().output, flipped: `${flipped} at step ${s}` };
}

/** Honest below `s`, the false trace from `s` on (its end state past its end). */
function falseView(honest: View, s: number, f: { hashes: Map<number, Hex>; header: Header }): View {
  const last = f.hashes.get(f.header.steps)!;
  return async (ps) => {
    const h = await honest(ps);
    return ps.map((p, i) => (p < s ? h[i]! : (f.hashes.get(p) ?? last)));
  };
}

/** Output bytes other than `out` (one byte changed, or one added). */
function otherOutput(out: Uint8Array, r: (n: number) => number): Uint8Array {
  if (out.length === 0 || r(2) === 0) return Uint8Array.from([...out, r(256)]);
  const o = out.slice();
  o[r(o.length)]! ^= 1 + r(255);
  return o;
}

function fail(msg: string): never {
  throw new OracleFailure("game", msg);
}

export const gameOracle: Oracle<GameCase> = {
  name: "game",
  description: "a lying solver or challenger (false trace from a random step, false step count, false output, random picks, silence): the honest party wins the dispute game on the contracts",
  arbitrary: () =>
    fc.record({
      task: taskSeedArb(),
      lie: fc.constantFrom(...LIES),
      at: fc.nat({ max: 0xffff }),
      turn: fc.nat({ max: 3 }),
      seed: fc.nat(),
    }),
  async setup() {
    await gameWorld();
  },
  async check(c, cov) {
    const w = await gameWorld();
    const { H, P } = w;
    const t = await buildTask(c.task, GAME_SHAPE);
    const r = rng(c.seed);
    const mid = await moduleOnChain(w, t);
    const probe = instantiateTask(t, cov);
    const now = await P.now();
    const params = H.taskParams({ moduleId: mid, limits: t.limits, reward: REWARD, solverBond: SOLVER_BOND, solveWindow: WINDOW, challengeWindow: WINDOW, deadline: now + DEADLINE }, now);
    if (!probe) {
      // the stepper refuses the task at instantiation: the market must refuse to post it
      const x = await P.market_(w.poster, "postTask", [params, hex(t.input)], REWARD);
      if (x.ok || !/^ModuleNeeds/.test(x.error)) fail(`the stepper refuses the task at instantiation, postTask: ${x.ok ? "accepted" : x.error}`);
      cov.outcome(`game:refused:${x.error}`);
      return 0;
    }
    const n = stepRecording(probe, cov).steps;
    if (n === 0) {
      cov.outcome("game:no-steps");
      return 0;
    }
    const truth = H.trueResult(t.cm, t.input, t.limits);
    if (truth.steps !== n) fail(`true result has ${truth.steps} steps, the run ${n}`);
    const trace = await Trace.create({ cm: t.cm, opts: { input: t.input, limits: t.limits } }, { workers: 0 });
    try {
      const honest: View = async (ps) => (await trace.hashesAt(ps)).map(hex);
      const [liarSide, how] = c.lie.split(":") as ["solver" | "challenger", string];
      const s = 1 + (c.at % n);

      // what the solver claims, and its hashes
      let claim: Claim = { result: truth, view: honest, what: "the true result" };
      if (liarSide === "solver") {
        const trueOut = Uint8Array.from(Buffer.from(truth.output.slice(2), "hex"));
        const fakeOutput = () => {
          const out = otherOutput(trueOut, r);
          return H.resultOf(H.withOutput(truth.header, out), out);
        };
        if (how === "diverge") {
          const f = falseTrace(t, s, r);
          if (f) claim = { result: H.resultOf(f.header, f.output), view: falseView(honest, s, f), what: `a false trace (${f.flipped})` };
          else {
            const fake = fakeOutput();
            claim = { result: fake, view: H.lyingView(trace, s, n, fake.finalStateHash), what: `hashes of no state from step ${s} (nothing to flip)` };
          }
        } else if (how === "junk" || how === "silent") {
          const fake = fakeOutput();
          claim = { result: fake, view: H.lyingView(trace, s, n, fake.finalStateHash), what: `hashes of no state from step ${s}` };
        } else if (how === "fewerSteps" && n > 1) {
          const m = 1 + (c.at % (n - 1));
          const fake = H.resultOf({ ...truth.header, steps: m }, trueOut);
          claim = { result: fake, view: H.lyingView(trace, m, m, fake.finalStateHash), what: `${m} steps instead of ${n}` };
        } else if (how === "moreSteps" || how === "fewerSteps") {
          const m = n + 1 + (c.at % (n + 64));
          const fake = H.resultOf({ ...truth.header, steps: m }, trueOut);
          claim = { result: fake, view: H.lyingView(trace, m, m, fake.finalStateHash), what: `${m} steps instead of ${n}` };
        } else if (how === "output") {
          const fake = fakeOutput();
          claim = { result: fake, view: H.lyingView(trace, n, n, fake.finalStateHash), what: "only a false output" };
        }
      }
      const lied = claim.result.finalStateHash !== truth.finalStateHash;
      const where = `${c.lie}: solver claims ${claim.what} (${claim.result.steps} steps, true ${n})`;

      const taskId = await postTask(w, params, t.input);
      await submit(w, taskId, w.solver, claim.result, where);
      const before = await balances(w);

      if (liarSide === "solver" && !lied) {
        // the perturbation did not change the end state: the result is true, nobody disputes it
        cov.outcome("game:lie-vanished");
        await finalizeTruth(w, taskId, truth, where);
        const after = await balances(w);
        if (after.solver - before.solver !== REWARD + SOLVER_BOND) fail(`${where}: solver's true result finalized but it got ${after.solver - before.solver}`);
        return n;
      }

      // the challenger's view and picks
      let challengerView: View = honest;
      let challengerWhat = "honest";
      if (liarSide === "challenger" && how === "falseTrace") {
        const f = falseTrace(t, s, r);
        if (f) {
          challengerView = falseView(honest, s, f);
          challengerWhat = `a false trace (${f.flipped})`;
        }
      }
      const pickFirstDiff = async (ps: number[], hashes: Hex[]) => {
        const own = await challengerView(ps);
        const j = own.findIndex((h, i) => h !== hashes[i]);
        return j < 0 ? hashes.length : j;
      };
      const pick = liarSide === "challenger" && how === "random" ? async (_ps: number[], hashes: Hex[]) => r(hashes.length + 1) : pickFirstDiff;
      const silent = (side: "solver" | "challenger", turnNo: number) => liarSide === side && how === "silent" && turnNo === c.turn;

      const gOpen = await P.game_(w.challenger, "challenge", [taskId], w.bond);
      if (!gOpen.ok) fail(`${where}: challenge reverted with ${gOpen.error}`);
      const g = P.events(gOpen.receipt).find((e) => e.eventName === "GameOpened")!.args.gameId as bigint;
      const desc = `${where}; challenger ${challengerWhat}`;

      const turns = { solver: 0, challenger: 0 };
      for (let i = 0; ; i++) {
        if (i > 200) fail(`${desc}: the game did not end in 200 moves`);
        const st = await P.readGame<ProtocolHelpers.GameView>("getGame", [g]);
        if (st.end !== 0) break;
        const lo = Number(st.lo);
        const hi = Number(st.hi);
        const side = st.turn === SOLVER ? "solver" : "challenger";
        if (silent(side, turns[side]++)) {
          if ((await P.game_(w.anyone, "timeout", [g])).ok) fail(`${desc}: timeout accepted before the ${side}'s clock ran out`);
          await P.travel(w.clock + 1);
          const x = await P.game_(w.anyone, "timeout", [g]);
          if (!x.ok) fail(`${desc}: timeout of the silent ${side} reverted with ${x.error}`);
          continue;
        }
        const ps = H.positions(lo, hi, w.k);
        if (st.turn === SOLVER) {
          const x = await P.game_(w.solver, "bisect", [g, await claim.view(ps)]);
          if (!x.ok) fail(`${desc}: bisect [${lo}, ${hi}] reverted with ${x.error}`);
        } else if (hi - lo > 1) {
          const hashes = await claim.view(ps);
          const x = await P.game_(w.challenger, "pick", [g, hashes, BigInt(await pick(ps, hashes))]);
          if (!x.ok) fail(`${desc}: pick in [${lo}, ${hi}] reverted with ${x.error}`);
        } else {
          // the one-step point: the honest party proves step lo from the agreed (true) state
          const proof = trace.proveStep(lo);
          if (hex(proof.before) !== st.loHash) fail(`${desc}: the agreed state at step ${lo} ${st.loHash} is not the true one ${hex(proof.before)}`);
          const x = await P.game_(liarSide === "solver" ? w.challenger : w.solver, "proveStep", [g, hex(proof.proof)]);
          if (!x.ok) fail(`${desc}: proveStep ${lo} reverted with ${x.error}`);
        }
      }
      const end = await P.readGame<ProtocolHelpers.GameView>("getGame", [g]);
      const honestWinner = liarSide === "solver" ? CHALLENGER : SOLVER;
      cov.outcome(`game:${c.lie}:${END_NAMES[end.end]}`);
      if (end.winner !== honestWinner) fail(`${desc}: the ${liarSide} (the liar) won the game (${END_NAMES[end.end]} at [${end.lo}, ${end.hi}])`);
      const wantEnd = how === "silent" && turns[liarSide] > c.turn ? 2 : 1;
      if (end.end !== wantEnd) fail(`${desc}: the game ended by ${END_NAMES[end.end]}, expected ${END_NAMES[wantEnd]}`);

      const mid1 = await balances(w);
      if (liarSide === "solver") {
        const task = await P.readMarket<{ status: number }>("getTask", [taskId]);
        if (task.status !== TASK_OPEN) fail(`${desc}: the refuted task is in status ${task.status}, not open`);
        if (mid1.challenger - before.challenger !== w.bond + SOLVER_BOND / 2n) fail(`${desc}: the winning challenger got ${mid1.challenger - before.challenger}, not its bond and half the solver's`);
        if (mid1.solver !== before.solver) fail(`${desc}: the refuted solver was credited ${mid1.solver - before.solver}`);
        await submit(w, taskId, w.resubmitter, truth, `${desc}: the true result`);
        await finalizeTruth(w, taskId, truth, desc);
        const after = await balances(w);
        if (after.resubmitter - mid1.resubmitter !== REWARD + SOLVER_BOND) fail(`${desc}: the honest resubmitter got ${after.resubmitter - mid1.resubmitter}`);
      } else {
        if (mid1.solver - before.solver !== w.bond / 2n) fail(`${desc}: the honest solver got ${mid1.solver - before.solver} for winning, not half the challenger's bond`);
        if (mid1.challenger !== before.challenger) fail(`${desc}: the losing challenger was credited ${mid1.challenger - before.challenger}`);
        await finalizeTruth(w, taskId, truth, desc);
        const after = await balances(w);
        if (after.solver - mid1.solver !== REWARD + SOLVER_BOND) fail(`${desc}: the honest solver got ${after.solver - mid1.solver} at finalization`);
      }
      return n;
    } finally {
      await trace.close();
    }
  },
  show: async (c) => `lie ${c.lie}, at ${c.at}, silent turn ${c.turn}, seed ${c.seed}\n${showTask(c.task, GAME_SHAPE)}`,
  toJSON: (c) => ({ ...c, task: taskSeedToJSON(c.task, GAME_SHAPE) }),
  fromJSON: (j) => {
    const o = j as GameCase;
    if (!LIES.includes(o?.lie)) throw new TypeError(`a game case needs a lie among ${LIES.join(", ")}`);
    for (const k of ["at", "turn", "seed"] as const) if (!Number.isInteger(o[k])) throw new TypeError(`a game case needs an integer \`${k}\``);
    return { task: taskSeedFromJSON(o.task), lie: o.lie, at: o.at, turn: o.turn, seed: o.seed };
  },
};

/** Registers the task's module unless it is already. */
async function moduleOnChain(w: World, t: BuiltTask): Promise<Hex> {
  const id = hex(moduleId(t.cm));
  if (!(await w.P.read<boolean>(w.P.registry, w.H.registryAbi, "isRegistered", [id]))) await w.P.register(t.cm, t.bytes);
  return id;
}

async function postTask(w: World, params: unknown, input: Uint8Array): Promise<bigint> {
  const x = await w.P.market_(w.poster, "postTask", [params, hex(input)], REWARD);
  if (!x.ok) fail(`postTask reverted with ${x.error}`);
  return w.P.events(x.receipt).find((e) => e.eventName === "TaskPosted")!.args.taskId as bigint;
}

async function submit(w: World, taskId: bigint, by: Address, r: ProtocolHelpers.Result, what: string): Promise<void> {
  const c = await w.P.market_(by, "claimTask", [taskId], SOLVER_BOND);
  if (!c.ok) fail(`${what}: claimTask reverted with ${c.error}`);
  const s = await w.P.market_(by, "submitResult", [taskId, r.finalStateHash, r.headerWords, r.output]);
  if (!s.ok) fail(`${what}: submitResult reverted with ${s.error}`);
}

/** After the challenge window: finalize, and the task's result must be the true one. */
async function finalizeTruth(w: World, taskId: bigint, truth: ProtocolHelpers.Result, what: string): Promise<void> {
  await w.P.travel(WINDOW + 1);
  const x = await w.P.market_(w.anyone, "finalize", [taskId]);
  if (!x.ok) fail(`${what}: finalize reverted with ${x.error}`);
  const task = await w.P.readMarket<{ status: number; result: { finalStateHash: Hex } }>("getTask", [taskId]);
  if (task.status !== TASK_FINALIZED || task.result.finalStateHash !== truth.finalStateHash)
    fail(`${what}: the task ended in status ${task.status} with ${task.result.finalStateHash}, the true result is ${truth.finalStateHash}`);
}

async function balances(w: World): Promise<{ solver: bigint; challenger: bigint; resubmitter: bigint }> {
  const of = (a: Address) => w.P.readMarket<bigint>("withdrawable", [a, w.H.ETH]);
  return { solver: await of(w.solver), challenger: await of(w.challenger), resubmitter: await of(w.resubmitter) };
}
