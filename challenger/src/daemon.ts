/**
 * The challenger daemon: one loop, scheduled every `pollMs`, that
 * 1. reads new events since its cursor: result claims (ResultSubmitted), games opened and resolved
 *    (GameOpened, GameResolved), ours and other challengers';
 * 2. checks every claim its policy covers by re-executing the task natively, final state hash
 *    included (wasm-stepper nativeFinalState, in a worker thread: a trap or out-of-steps is
 *    interpreted whole, and the loop keeps playing its games meanwhile): a verdict per claim, stored;
 * 3. opens a game on a wrong claim within its challenge window, unless another challenger already
 *    disputes it, in which case it watches that game and opens its own if it goes quiet, is lost,
 *    or the window is about to close;
 * 4. plays each of its games when it owes a move (its trace is built, or loaded from disk after a
 *    restart, as soon as the game is open, while the solver makes the first move): the pick of the first segment whose end it
 *    disputes (from its own trace's hashes), the one-step proof at one step, a timeout claim when the
 *    solver's clock ran out; closes games on claims that fell to another game; withdraws its credits.
 * Protocol rules come from the sdk (actions, disputedSegment) and the stepper (nativeFinalState,
 * Trace, via the kit's TraceCache); the daemon schedules, persists and retries. A failing RPC call fails the tick,
 * retried with backoff; a bad task or module is a verdict with its reason, never a crash.
 */
import * as sdk from "@vwasm/sdk";
import { ChainDaemon, limitsOf, TaskRejected } from "@vwasm/solver";
import { describeInstruction, pcOfHeaderWords, type CompiledModule, type Trace } from "@vwasm/wasm-stepper";
import type { Logger } from "pino";
import { bytesToHex, createPublicClient, createWalletClient, zeroAddress, type Account, type Address, type Chain, type Hex, type PublicClient, type TransactionReceipt, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { checkClaim } from "./check.ts";
import type { ChallengerConfig } from "./config.ts";
import type { Metrics } from "./metrics.ts";
import { Store, type ClaimRecord, type GameRecord } from "./store.ts";

const SOLVER = 1;

export class ChallengerDaemon extends ChainDaemon<ChallengerConfig, Metrics> {
  private readonly waitingLogged = new Set<string>();
  /** Claim checks under way (key taskId:attempt), off the tick: a tick never waits for one. */
  private readonly checks = new Map<string, Promise<void>>();

  constructor(
    cfg: ChallengerConfig,
    readonly store: Store,
    log: Logger,
    metrics: Metrics,
  ) {
    super(cfg, log, metrics);
  }

  private isMe(a: string): boolean {
    return a.toLowerCase() === this.address.toLowerCase();
  }

  async start(): Promise<void> {
    const open = this.store.games().filter((g) => g.mine && !g.ended);
    this.log.info({ challenger: this.address, market: this.cfg.market, game: this.cfg.game, resume: open.map((g) => g.gameId), faults: this.cfg.faults }, "challenger started");
    if (this.cfg.faults.length) this.log.warn({ faults: this.cfg.faults }, "FAULT INJECTION ON: this challenger misbehaves on purpose (tests and demos only)");
    await this.startLoop();
  }

  async stop(): Promise<void> {
    await this.stopLoop();
    await Promise.allSettled(this.checks.values());
  }

  /** One pass: new events, verdicts, challenges, our games, withdrawals. Exposed for tests. */
  async tick(): Promise<void> {
    await this.scanEvents();
    for (const c of this.store.claims()) {
      if (this.stopped) return;
      if (c.verdict === "new") this.startCheck(c);
    }
    for (const c of this.store.claims()) {
      if (this.stopped) return;
      if (!c.done && !c.gameId && (c.verdict === "wrong" || (c.verdict === "agrees" && this.cfg.faults.includes("challenge-honest")))) await this.considerChallenge(c);
    }
    for (const g of this.store.games()) {
      if (this.stopped) return;
      if (g.mine && !g.ended) await this.advanceGame(g);
    }
    this.metrics.gamesInFlight.set(this.store.games().filter((g) => g.mine && !g.ended).length);
    await this.withdrawAll();
  }

  private async scanEvents(): Promise<void> {
    const latest = await this.pub.getBlockNumber({ cacheTime: 0 });
    const from = (this.store.cursor() ?? this.cfg.fromBlock - 1n) + 1n;
    if (from > latest) return;
    const range = { fromBlock: from, toBlock: latest } as const;
    const results = await this.pub.getContractEvents({ address: this.cfg.market, abi: sdk.taskMarketAbi, eventName: "ResultSubmitted", ...range, strict: true });
    const opened = await this.pub.getContractEvents({ address: this.cfg.game, abi: sdk.disputeGameAbi, eventName: "GameOpened", ...range, strict: true });
    const resolved = await this.pub.getContractEvents({ address: this.cfg.game, abi: sdk.disputeGameAbi, eventName: "GameResolved", ...range, strict: true });
    for (const ev of results) {
      const { taskId, solver, attempt, result, challengeDeadline } = ev.args;
      if (this.store.getClaim(taskId.toString(), attempt)) continue;
      this.metrics.claimsSeen.inc();
      await this.store.putClaim({
        taskId: taskId.toString(),
        attempt,
        solver,
        claim: { status: result.status, trapCode: result.trapCode, steps: result.steps.toString(), finalStateHash: result.finalStateHash, outputHash: result.outputHash },
        challengeDeadline: challengeDeadline.toString(),
        block: ev.blockNumber.toString(),
        verdict: "new",
      });
      this.log.info({ taskId, attempt, solver, steps: result.steps, finalStateHash: result.finalStateHash, challengeDeadline }, "claim seen");
    }
    for (const ev of opened) {
      const id = ev.args.gameId.toString();
      if (this.store.getGame(id)) continue;
      const mine = this.isMe(ev.args.challenger);
      await this.store.putGame({ gameId: id, taskId: ev.args.taskId.toString(), attempt: ev.args.attempt, challenger: ev.args.challenger, mine, moves: [], openedAt: Date.now() });
      if (!mine) this.log.info({ gameId: id, taskId: ev.args.taskId, challenger: ev.args.challenger, steps: ev.args.hi }, "another challenger opened a game");
    }
    for (const ev of resolved) {
      const g = this.store.getGame(ev.args.gameId.toString());
      if (g && !g.mine && !g.ended) {
        await this.store.putGame({ ...g, ended: `${sdk.GAME_END[ev.args.end]} (winner ${sdk.PARTY[ev.args.winner]})` });
        this.log.info({ gameId: g.gameId, taskId: g.taskId, end: sdk.GAME_END[ev.args.end], winner: sdk.PARTY[ev.args.winner] }, "another challenger's game resolved");
      }
    }
    await this.store.setCursor(latest);
  }

  /** The task's module and input, as the chain published them. */
  private async target(c: ClaimRecord): Promise<{ cm: CompiledModule; input: Uint8Array; limits: sdk.Limits } | TaskRejected> {
    const taskId = BigInt(c.taskId);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
    const m = await this.module(task.params.moduleId);
    if (m instanceof TaskRejected) return m;
    const posted = await sdk.getTaskPosted(this.pub, { market: this.cfg.market, taskId, toBlock: BigInt(c.block) });
    return { cm: m, input: posted.input, limits: task.params.limits };
  }

  /** Starts the check of a claim unless one is under way; a failed check (an RPC error) is tried again at a later tick. */
  private startCheck(c: ClaimRecord): void {
    const key = `${c.taskId}:${c.attempt}`;
    if (this.checks.has(key)) return;
    const p = this.check(c)
      .catch((e: unknown) => {
        this.metrics.rpcErrors.inc();
        if (!this.stopped) this.log.warn({ taskId: c.taskId, attempt: c.attempt, err: (e as Error).message }, "claim check failed; retried at a later tick");
      })
      .finally(() => this.checks.delete(key));
    this.checks.set(key, p);
  }

  /** Re-executes the task of a claim natively (in the worker thread) and records the verdict. */
  private async check(c: ClaimRecord): Promise<void> {
    const taskId = BigInt(c.taskId);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
    if (task.statusName !== "submitted" || task.attempt !== c.attempt) {
      await this.store.putClaim({ ...c, verdict: "skipped", reason: `task is ${task.statusName} (attempt ${task.attempt})`, done: true });
      return;
    }
    const p = this.cfg.policy;
    const skip = async (reason: string, code: string) => {
      this.metrics.skipped.inc({ reason: code });
      await this.store.putClaim({ ...c, verdict: "skipped", reason, done: true });
      this.log.warn({ taskId, attempt: c.attempt, reason }, "claim not checked");
    };
    if (p.modules !== "all" && !p.modules.includes(task.params.moduleId.toLowerCase())) return skip(`module ${task.params.moduleId} is not in the policy`, "module");
    if (task.params.limits.maxSteps > p.maxSteps) return skip(`maxSteps ${task.params.limits.maxSteps} exceeds the policy's ${p.maxSteps}`, "steps");
    const t = await this.target(c);
    if (t instanceof TaskRejected) {
      await this.store.putClaim({ ...c, verdict: "failed", reason: t.message, done: true });
      this.log.error({ taskId, reason: t.message }, "claim's task cannot be run");
      return;
    }
    this.log.info({ taskId, attempt: c.attempt, maxSteps: t.limits.maxSteps }, "checking claim");
    let r;
    try {
      r = await checkClaim(t.cm, t.input, t.limits, c.claim, this.finalStates);
    } catch (e) {
      if (this.stopped) return;
      // The stepper refused or failed to run the task (its worker included): a verdict, not a retry.
      await this.store.putClaim({ ...c, verdict: "failed", reason: `the task could not be run: ${(e as Error).message}`, done: true });
      this.log.error({ taskId, attempt: c.attempt, err: (e as Error).message }, "claim's task cannot be run");
      return;
    }
    if (this.stopped) return;
    this.metrics.checkSeconds.observe({ engine: r.mine.engine }, r.mine.ms / 1000);
    this.metrics.vmSteps.inc(r.mine.steps);
    this.metrics.checked.inc({ verdict: r.agree ? "agrees" : "wrong" });
    await this.store.putClaim({ ...(this.store.getClaim(c.taskId, c.attempt) ?? c), verdict: r.agree ? "agrees" : "wrong", mine: r.mine, ...(r.agree ? {} : { reason: r.differences.join("; ") }) });
    const fields = { taskId, attempt: c.attempt, solver: c.solver, steps: r.mine.steps, status: r.mine.status, engine: r.mine.engine, ms: Math.round(r.mine.ms) };
    if (r.agree) this.log.info(fields, "claim checked: correct");
    else this.log.warn({ ...fields, differences: r.differences, claimedSteps: c.claim.steps }, "claim checked: WRONG");
  }

  private async now(): Promise<bigint> {
    return (await this.pub.getBlock({ blockTag: "latest" })).timestamp;
  }

  /** Opens our game on a wrong claim, unless another challenger's live game covers it. */
  private async considerChallenge(c: ClaimRecord): Promise<void> {
    const taskId = BigInt(c.taskId);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
    if (task.statusName !== "submitted" || task.attempt !== c.attempt) {
      await this.store.putClaim({ ...c, done: true, reason: `${c.reason ?? ""} (task now ${task.statusName}, attempt ${task.attempt})` });
      this.log.info({ taskId, attempt: c.attempt, status: task.statusName }, "claim no longer stands");
      return;
    }
    const now = await this.now();
    const deadline = BigInt(c.challengeDeadline);
    if (now > deadline) {
      await this.store.putClaim({ ...c, done: true, reason: `${c.reason ?? ""} (window closed)` });
      this.log.error({ taskId, attempt: c.attempt }, "the challenge window closed before we could open a game");
      return;
    }
    const p = this.cfg.policy;
    const others = this.store.games().filter((g) => !g.mine && !g.ended && g.taskId === c.taskId && g.attempt === c.attempt);
    if (others.length > 0 && now + BigInt(p.windowMarginSeconds) < deadline) {
      let quiet = false;
      for (const o of others) {
        const g = await sdk.getGame(this.pub, { game: this.cfg.game, gameId: BigInt(o.gameId) });
        if (g.end !== 0) continue;
        if (g.turnName === "challenger" && now - g.turnStarted > BigInt(p.quietSeconds)) quiet = true;
        else if (!quiet) {
          const key = `${c.taskId}:${c.attempt}`;
          if (!this.waitingLogged.has(key)) this.log.info({ taskId, gameId: o.gameId, challenger: o.challenger }, "another challenger disputes this claim: watching its game");
          this.waitingLogged.add(key);
          return;
        }
      }
      if (quiet) this.log.warn({ taskId }, "the other challenger has gone quiet: opening our own game");
    }
    const bond = await this.pub.readContract({ address: this.cfg.game, abi: sdk.disputeGameAbi, functionName: "challengerBond" });
    const atStake = this.store.games().filter((g) => g.mine && !g.ended).length;
    if (bond > p.maxBond || bond * BigInt(atStake + 1) > p.maxBondAtStake) {
      this.metrics.skipped.inc({ reason: "bond" });
      await this.store.putClaim({ ...c, done: true, reason: `bond ${bond} exceeds the policy (maxBond ${p.maxBond}, at stake ${atStake} games, max ${p.maxBondAtStake})` });
      this.log.warn({ taskId, bond }, "wrong claim left alone: the bond exceeds the policy");
      return;
    }
    const t0 = performance.now();
    try {
      const r = await sdk.challenge(this.wallet, { game: this.cfg.game, taskId, bond });
      this.gas("challenge", r.receipt);
      this.metrics.actSeconds.observe({ kind: "challenge" }, (performance.now() - t0) / 1000);
      this.metrics.games.inc();
      this.metrics.moves.inc({ kind: "challenge" });
      const id = r.gameId.toString();
      await this.store.putGame({ gameId: id, taskId: c.taskId, attempt: c.attempt, challenger: this.address, mine: true, moves: [{ kind: "challenge", lo: "0", hi: c.claim.steps, tx: r.hash, at: Date.now(), gas: r.receipt.gasUsed.toString() }], openedAt: Date.now() });
      await this.store.putClaim({ ...c, gameId: id });
      this.prefetchTrace({ ...c, gameId: id });
      this.log.warn({ gameId: id, taskId, attempt: c.attempt, solver: c.solver, bond, range: [0, c.claim.steps], why: c.reason ?? "challenge-honest fault", gas: r.receipt.gasUsed }, "challenge opened");
    } catch (e) {
      if (!(e instanceof sdk.ContractRevertError)) throw e;
      await this.store.putClaim({ ...c, done: true, reason: `${c.reason ?? ""} (challenge refused: ${e.shortMessage})` });
      this.log.error({ taskId, reason: e.shortMessage }, "challenge refused");
    }
  }

  /** Our trace of a claim's task: from disk after a restart, else interpreted once and saved. */
  private trace(c: ClaimRecord): Promise<Trace> {
    const target = async () => {
      const t = await this.target(c);
      if (t instanceof TaskRejected) throw t;
      return { cm: t.cm, opts: { input: t.input, limits: limitsOf(t.limits) } };
    };
    return this.traces.get(`${c.taskId}-${c.attempt}`, `${c.taskId}:${c.attempt}:${c.claim.finalStateHash}`, c.taskId, target, (t) => this.metrics.traceBytes.set(t.snapshotBytes));
  }

  /** Builds (or loads) our trace of a claim in the background, so that it is ready for our first move. */
  private prefetchTrace(c: ClaimRecord): void {
    if (this.traces.has(`${c.taskId}-${c.attempt}`)) return;
    this.trace(c).catch((e: unknown) => this.log.error({ taskId: c.taskId, attempt: c.attempt, err: (e as Error).message }, "trace failed; tried again at our next move"));
  }

  /** Our move in one of our games, if we owe one. */
  private async advanceGame(rec: GameRecord): Promise<void> {
    const gameId = BigInt(rec.gameId);
    const g = await sdk.getGame(this.pub, { game: this.cfg.game, gameId });
    const claim = this.store.getClaim(rec.taskId, rec.attempt);
    if (g.end !== 0) {
      const end = sdk.GAME_END[g.end];
      const outcome = g.winnerName === "challenger" ? "won" : g.winnerName === "solver" ? "lost" : "closed";
      this.metrics.outcomes.inc({ outcome });
      await this.store.putGame({ ...rec, ended: `${end} (winner ${g.winnerName})` });
      if (claim) await this.store.putClaim({ ...claim, done: true });
      this.log.warn({ gameId, taskId: rec.taskId, end, winner: g.winnerName, outcome, moves: rec.moves.length, gas: rec.moves.reduce((a, m) => a + BigInt(m.gas), 0n) }, "game resolved");
      await this.traces.drop(`${rec.taskId}-${rec.attempt}`);
      return;
    }
    if (!claim) throw new Error(`game ${gameId} has no claim record`);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId: BigInt(rec.taskId) });
    if (task.statusName !== "submitted" || task.attempt !== rec.attempt) {
      // The claim fell to another game (or was finalized): close ours, bonds returned.
      try {
        const r = await sdk.closeGame(this.wallet, { game: this.cfg.game, gameId });
        this.gas("close", r.receipt);
        this.log.info({ gameId, taskId: rec.taskId }, "claim fell elsewhere: our game closed, bond returned");
      } catch (e) {
        if (!(e instanceof sdk.ContractRevertError)) throw e;
      }
      return;
    }
    if (this.cfg.faults.includes("silent")) return;
    this.prefetchTrace(claim);
    if (g.turnName === "solver") {
      const left = await this.pub.readContract({ address: this.cfg.game, abi: sdk.disputeGameAbi, functionName: "clockLeft", args: [gameId, SOLVER] });
      if (left === 0n) {
        const r = await sdk.timeout(this.wallet, { game: this.cfg.game, gameId });
        await this.recordMove(rec, "timeout", g.lo, g.hi, r);
        this.log.warn({ gameId, taskId: rec.taskId }, "the solver's clock ran out: timeout claimed");
      }
      return;
    }
    if (g.turnName !== "challenger") return;
    const t0 = performance.now();
    const trace = await this.trace(claim);
    const cm = (await this.module(task.params.moduleId)) as CompiledModule;
    if (g.hi - g.lo === 1n) {
      const proof = trace.proveStep(Number(g.lo));
      const ins = describeInstruction(cm, pcOfHeaderWords(proof.proof));
      this.log.warn({ gameId, step: g.lo, instruction: ins.text, func: ins.funcName, moduleOffset: ins.moduleOffset, proofBytes: proof.proof.length }, "disputed step found: proving it on-chain");
      const r = await sdk.proveStep(this.wallet, { game: this.cfg.game, gameId, proof: bytesToHex(proof.proof) });
      this.metrics.actSeconds.observe({ kind: "prove" }, (performance.now() - t0) / 1000);
      await this.recordMove(rec, "prove", g.lo, g.hi, r);
      const after = await sdk.getGame(this.pub, { game: this.cfg.game, gameId });
      this.log.warn({ gameId, step: g.lo, instruction: ins.text, winner: after.winnerName, gas: r.receipt.gasUsed }, "step proven");
      return;
    }
    const bis = await sdk.getBisection(this.pub, { game: this.cfg.game, gameId, fromBlock: BigInt(claim.block) });
    if (bis.lo !== g.lo || bis.hi !== g.hi) return; // the node has not served the latest event yet
    const positions = await sdk.getPositions(this.pub, { game: this.cfg.game, lo: g.lo, hi: g.hi });
    const mine = (await trace.hashesAt(positions.map(Number))).map((h) => bytesToHex(h));
    const index = sdk.disputedSegment(bis.hashes, mine);
    const next = sdk.pickedRange(g.lo, g.hi, bis.hashes.length + 1, index);
    const agreed = positions.filter((_, i) => i < index && bis.hashes[i]!.toLowerCase() === mine[i]!.toLowerCase()).length;
    const r = await sdk.pick(this.wallet, { game: this.cfg.game, gameId, hashes: bis.hashes, index: BigInt(index) });
    this.metrics.actSeconds.observe({ kind: "pick" }, (performance.now() - t0) / 1000);
    await this.recordMove(rec, "pick", g.lo, g.hi, r);
    this.log.info({ gameId, from: [g.lo, g.hi], to: [next.lo, next.hi], index, segments: bis.hashes.length + 1, agreedHashes: agreed, gas: r.receipt.gasUsed }, "pick");
  }

  private async recordMove(rec: GameRecord, kind: string, lo: bigint, hi: bigint, r: { hash: Hex; receipt: TransactionReceipt }): Promise<void> {
    this.metrics.moves.inc({ kind });
    this.gas(kind, r.receipt);
    const cur = this.store.getGame(rec.gameId) ?? rec;
    await this.store.putGame({ ...cur, moves: [...cur.moves, { kind, lo: lo.toString(), hi: hi.toString(), tx: r.hash, at: Date.now(), gas: r.receipt.gasUsed.toString() }] });
  }

  private async withdrawAll(): Promise<void> {
    const amount = await sdk.getWithdrawable(this.pub, { market: this.cfg.market, account: this.address, token: zeroAddress });
    if (amount === 0n) return;
    const r = await sdk.withdraw(this.wallet, { market: this.cfg.market, token: zeroAddress });
    this.gas("withdraw", r.receipt);
    this.log.info({ amount: r.amount, gas: r.receipt.gasUsed }, "withdrawn");
  }
}
