/**
 * The solver daemon: one loop, scheduled every `pollMs`, that
 * 1. reads the market's new events (TaskPosted, ClaimExpired, ResultRejected) and the dispute game's
 *    GameOpened since its cursor, and decides about each open task by policy;
 * 2. advances every task it holds (claimed -> solved -> submitted -> finalized -> withdrawn) from the
 *    chain's own view of the task, so a restart after kill -9 resumes from the database plus the chain;
 * 3. answers each game against its results within its clock (bisections from a Trace, the one-step
 *    proof at the end).
 * It holds no protocol logic: sdk actions and stepper calls. A failing RPC call fails the tick, which
 * is retried with backoff; a bad task is refused with its reason, never the daemon.
 */
import type { CompiledModule, Trace } from "@vwasm/wasm-stepper";
import * as sdk from "@vwasm/sdk";
import { bytesToHex, createPublicClient, createWalletClient, zeroAddress, type Account, type Address, type Chain, type Hex, type PublicClient, type TransactionReceipt, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Logger } from "pino";
import { minRewardPerStep, type SolverConfig } from "./config.ts";
import type { Metrics } from "./metrics.ts";
import { checkModule, limitsOf, solve, TaskRejected } from "./solve.ts";
import { faultySolve } from "./fault.ts";
import { ChainDaemon } from "./kit.ts";
import { Store, type TaskRecord } from "./store.ts";

const ACTIVE = new Set(["claiming", "claimed", "submitted"]);

export class SolverDaemon extends ChainDaemon<SolverConfig, Metrics> {
  constructor(
    cfg: SolverConfig,
    readonly store: Store,
    log: Logger,
    metrics: Metrics,
  ) {
    super(cfg, log, metrics);
  }

  async start(): Promise<void> {
    this.log.info({ solver: this.address, market: this.cfg.market, resume: this.store.tasks().filter((t) => ACTIVE.has(t.state)).length }, "solver started");
    if (this.cfg.faults) this.log.warn({ faults: this.cfg.faults.spec }, "FAULT INJECTION ON: this solver submits false results on purpose (tests and demos only)");
    await this.startLoop();
  }

  async stop(): Promise<void> {
    await this.stopLoop();
  }

  /** One pass: new events, then every task and game in flight. Exposed for tests. */
  async tick(): Promise<void> {
    await this.scanEvents();
    for (const rec of this.store.tasks()) {
      if (this.stopped) return;
      if (ACTIVE.has(rec.state)) await this.advance(rec);
    }
    await this.reconsiderWaiting();
    for (const g of this.store.games()) if (!g.ended && !this.stopped) await this.advanceGame(BigInt(g.gameId));
    await this.withdrawAll();
  }

  private async scanEvents(): Promise<void> {
    const latest = await this.pub.getBlockNumber({ cacheTime: 0 });
    const from = (this.store.cursor() ?? this.cfg.fromBlock - 1n) + 1n;
    if (from > latest) return;
    const market = { address: this.cfg.market, abi: sdk.taskMarketAbi, fromBlock: from, toBlock: latest } as const;
    const posted = await this.pub.getContractEvents({ ...market, eventName: "TaskPosted", strict: true });
    const reopened = [
      ...(await this.pub.getContractEvents({ ...market, eventName: "ClaimExpired", strict: true })),
      ...(await this.pub.getContractEvents({ ...market, eventName: "ResultRejected", strict: true })),
    ];
    const games = await this.pub.getContractEvents({ address: this.cfg.game, abi: sdk.disputeGameAbi, eventName: "GameOpened", fromBlock: from, toBlock: latest, strict: true });
    for (const ev of posted) {
      this.metrics.seen.inc();
      if (!this.store.getTask(ev.args.taskId)) await this.store.putTask({ taskId: ev.args.taskId.toString(), state: "skipped", reason: "waiting", postedBlock: ev.blockNumber.toString(), moduleId: ev.args.moduleId });
      this.log.info({ taskId: ev.args.taskId, moduleId: ev.args.moduleId, reward: ev.args.params.reward, token: ev.args.params.rewardToken, maxSteps: ev.args.params.limits.maxSteps }, "task posted");
    }
    for (const ev of reopened) {
      const rec = this.store.getTask(ev.args.taskId);
      if (rec && !ACTIVE.has(rec.state)) await this.store.putTask({ ...rec, state: "skipped", reason: "waiting" });
    }
    for (const ev of games) {
      if (ev.args.solver.toLowerCase() !== this.address.toLowerCase()) continue;
      this.metrics.disputes.inc();
      if (!this.store.getGame(ev.args.gameId))
        await this.store.putGame({ gameId: ev.args.gameId.toString(), taskId: ev.args.taskId.toString(), attempt: ev.args.attempt, moves: [] });
      this.log.warn({ gameId: ev.args.gameId, taskId: ev.args.taskId, challenger: ev.args.challenger, clock: ev.args.clock }, "dispute opened against our result");
    }
    await this.store.setCursor(latest);
  }

  /** Tasks seen and not yet decided ("waiting"): decide now if a claim slot is free. */
  private async reconsiderWaiting(): Promise<void> {
    for (const rec of this.store.tasks()) {
      if (this.stopped) return;
      if (rec.state !== "skipped" || rec.reason !== "waiting") continue;
      const active = this.store.tasks().filter((t) => t.state === "claiming" || t.state === "claimed").length;
      if (active >= this.cfg.policy.maxActiveClaims) return;
      await this.consider(rec);
    }
  }

  private async skip(rec: TaskRecord, reason: string, code: string): Promise<void> {
    this.metrics.skipped.inc({ reason: code });
    await this.store.putTask({ ...rec, state: "skipped", reason });
    this.log.warn({ taskId: rec.taskId, reason }, "task refused");
  }

  /** Policy and checks, then the claim. */
  private async consider(rec: TaskRecord): Promise<void> {
    const taskId = BigInt(rec.taskId);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
    if (task.statusName !== "open") {
      await this.store.putTask({ ...rec, state: "lost", reason: `task is ${task.statusName}` });
      return;
    }
    const p = task.params;
    const now = (await this.pub.getBlock({ blockTag: "latest" })).timestamp;
    const min = minRewardPerStep(this.cfg.policy, p.rewardToken);
    if (now > p.deadline) return this.skip(rec, "the task's deadline has passed", "expired");
    if (min === undefined) return this.skip(rec, `reward asset ${p.rewardToken} is not accepted by the policy`, "asset");
    if (p.reward < min * p.limits.maxSteps) return this.skip(rec, `reward ${p.reward} is below ${min} per step for ${p.limits.maxSteps} steps`, "reward");
    if (p.limits.maxSteps > this.cfg.policy.maxSteps) return this.skip(rec, `maxSteps ${p.limits.maxSteps} exceeds the policy's ${this.cfg.policy.maxSteps}`, "steps");
    if (p.solverBond > this.cfg.policy.maxBond) return this.skip(rec, `bond ${p.solverBond} exceeds the policy's maxBond ${this.cfg.policy.maxBond}`, "bond");
    if (task.inputLength > BigInt(this.cfg.policy.maxInputBytes)) return this.skip(rec, `input of ${task.inputLength} bytes exceeds the policy's ${this.cfg.policy.maxInputBytes}`, "input");
    const m = await this.module(p.moduleId);
    if (m instanceof TaskRejected) return this.skip(rec, m.message, m.code);
    if (this.cfg.faults && rec.result) return this.skip(rec, "fault injection: this solver lies once per task", "fault");
    await this.store.putTask({ ...rec, state: "claiming", reason: undefined, moduleId: p.moduleId, rewardToken: p.rewardToken, reward: p.reward.toString() });
    try {
      const r = await sdk.claimTask(this.wallet, { market: this.cfg.market, taskId, bond: p.solverBond });
      this.gas("claim", r.receipt);
      this.metrics.claimed.inc();
      const after = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
      await this.store.putTask({ ...rec, state: "claimed", attempt: after.attempt, moduleId: p.moduleId, rewardToken: p.rewardToken, reward: p.reward.toString() });
      this.log.info({ taskId, bond: p.solverBond, solveDeadline: after.solveDeadline, gas: r.receipt.gasUsed }, "claimed");
    } catch (e) {
      if (e instanceof sdk.ContractRevertError) {
        await this.store.putTask({ ...rec, state: "lost", reason: e.shortMessage });
        this.log.info({ taskId, reason: e.shortMessage }, "claim refused (another solver was first?)");
        return;
      }
      throw e;
    }
  }

  /** Moves a task we hold one step further, from the chain's view of it. */
  private async advance(rec: TaskRecord): Promise<void> {
    const taskId = BigInt(rec.taskId);
    const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId });
    const mine = task.solver.toLowerCase() === this.address.toLowerCase();
    if (rec.state === "claiming") {
      if (mine && task.statusName === "claimed") rec = { ...rec, state: "claimed", attempt: task.attempt };
      else if (task.statusName === "open") return this.store.putTask({ ...rec, state: "skipped", reason: "waiting" });
      else return this.store.putTask({ ...rec, state: "lost", reason: `task is ${task.statusName} by ${task.solver}` });
      await this.store.putTask(rec);
    }
    if (!mine || task.attempt !== rec.attempt) {
      await this.store.putTask({ ...rec, state: "lost", reason: `attempt ${rec.attempt} is over (task ${task.statusName}, attempt ${task.attempt})` });
      this.log.warn({ taskId, attempt: rec.attempt }, "our claim is over (expired or result rejected)");
      return;
    }
    if (rec.state === "claimed" && task.statusName === "claimed") {
      rec = await this.solveAndSubmit(rec, task);
      return;
    }
    if (task.statusName === "submitted") {
      if (rec.state !== "submitted") await this.store.putTask((rec = { ...rec, state: "submitted" }));
      const now = (await this.pub.getBlock({ blockTag: "latest" })).timestamp;
      if (now > task.challengeDeadline && task.openGames === 0) {
        const r = await sdk.finalize(this.wallet, { market: this.cfg.market, taskId });
        this.gas("finalize", r.receipt);
        this.log.info({ taskId, gas: r.receipt.gasUsed }, "finalized");
      }
      return;
    }
    if (task.statusName === "finalized") {
      this.metrics.finalized.inc();
      await this.store.putTask({ ...rec, state: "finalized" });
      this.log.info({ taskId, reward: rec.reward, token: rec.rewardToken }, "result final: reward and bond credited");
    }
  }

  private async solveAndSubmit(rec: TaskRecord, task: sdk.GetTaskReturnType): Promise<TaskRecord> {
    const taskId = BigInt(rec.taskId);
    if (!rec.result) {
      const m = await this.module(task.params.moduleId);
      if (m instanceof TaskRejected) {
        await this.store.putTask({ ...rec, state: "failed", reason: m.message });
        return rec;
      }
      const posted = await sdk.getTaskPosted(this.pub, { market: this.cfg.market, taskId, fromBlock: rec.postedBlock ? BigInt(rec.postedBlock) : undefined });
      this.log.info({ taskId, inputBytes: posted.input.length, maxSteps: task.params.limits.maxSteps }, "solving");
      let s;
      try {
        s = this.cfg.faults?.lie
          ? await this.solveFalsely(rec, m, posted.input, task.params.limits)
          : await solve(m, posted.input, task.params.limits, this.finalStates);
      } catch (e) {
        if (!(e instanceof TaskRejected)) throw e;
        await this.store.putTask({ ...rec, state: "failed", reason: e.message });
        this.log.error({ taskId, reason: e.message }, "task failed");
        return rec;
      }
      this.metrics.steps.inc(s.steps);
      if (s.nativeMs > 0) this.metrics.stepsPerSecond.set({ engine: "native" }, (s.steps * 1000) / s.nativeMs);
      if (s.interpMs > 0) this.metrics.stepsPerSecond.set({ engine: "interpreter" }, (s.steps * 1000) / s.interpMs);
      const { nativeMs, interpMs, engine, ...result } = s;
      rec = { ...rec, result };
      await this.store.putTask(rec);
      this.log.info({ taskId, status: s.status, trap: s.trap, steps: s.steps, outputBytes: (s.output.length - 2) / 2, engine: s.engine, nativeMs: Math.round(nativeMs), interpreterMs: Math.round(interpMs) }, "solved");
    }
    const r = await sdk.submitResult(this.wallet, { market: this.cfg.market, taskId, finalStateHash: rec.result!.finalStateHash as Hex, headerWords: rec.result!.headerWords as Hex, output: rec.result!.output as Hex });
    this.gas("submit", r.receipt);
    this.metrics.solved.inc();
    rec = { ...rec, state: "submitted" };
    await this.store.putTask(rec);
    this.log.info({ taskId, finalStateHash: rec.result!.finalStateHash, gas: r.receipt.gasUsed }, "result submitted");
    return rec;
  }

  /** Our trace of a claim attempt, by name (its snapshots' directory; a restart mid-game reloads them). */
  private traceName(taskId: string, attempt: number | undefined): string {
    return `${taskId}-${attempt ?? 0}`;
  }

  private traceKey(taskId: string, attempt: number | undefined): string {
    return `${taskId}:${attempt ?? 0}:${this.cfg.faults?.spec ?? "honest"}`;
  }

  /** FAULT INJECTION: the false result of fault.ts, its trace kept for the game. */
  private async solveFalsely(rec: TaskRecord, m: CompiledModule, input: Uint8Array, limits: sdk.Limits): Promise<Awaited<ReturnType<typeof solve>>> {
    const t = performance.now();
    const f = await faultySolve(m, { input, limits: limitsOf(limits) }, this.cfg.faults as Parameters<typeof faultySolve>[2], this.traces.dir(this.traceName(rec.taskId, rec.attempt)), this.traceKey(rec.taskId, rec.attempt));
    this.traces.set(this.traceName(rec.taskId, rec.attempt), f.trace);
    this.log.warn({ taskId: rec.taskId, lie: this.cfg.faults!.spec, trueSteps: f.trueSteps, claimedSteps: f.steps }, "FAULT INJECTION: submitting a false result");
    return { finalStateHash: bytesToHex(f.finalStateHash), headerWords: bytesToHex(f.headerWords), output: bytesToHex(f.output), steps: f.steps, status: f.status, ...(f.trap ? { trap: f.trap } : {}), engine: "interpreter", nativeMs: 0, interpMs: performance.now() - t };
  }

  private trace(taskId: string): Promise<Trace> {
    const rec = this.store.getTask(BigInt(taskId));
    const target = async () => {
      const task = await sdk.getTask(this.pub, { market: this.cfg.market, taskId: BigInt(taskId) });
      const m = await this.module(task.params.moduleId);
      if (m instanceof TaskRejected) throw m;
      const posted = await sdk.getTaskPosted(this.pub, { market: this.cfg.market, taskId: BigInt(taskId), fromBlock: rec?.postedBlock ? BigInt(rec.postedBlock) : undefined });
      return { cm: m, opts: { input: posted.input, limits: limitsOf(task.params.limits) } };
    };
    return this.traces.get(this.traceName(taskId, rec?.attempt), this.traceKey(taskId, rec?.attempt), taskId, target);
  }

  /** Our move in a game, if we owe one. */
  private async advanceGame(gameId: bigint): Promise<void> {
    const rec = this.store.getGame(gameId)!;
    const g = await sdk.getGame(this.pub, { game: this.cfg.game, gameId });
    if (g.end !== 0) {
      await this.store.putGame({ ...rec, ended: `${sdk.GAME_END[g.end]} (winner ${g.winnerName})` });
      this.log.info({ gameId, end: sdk.GAME_END[g.end], winner: g.winnerName }, "game resolved");
      await this.traces.drop(this.traceName(rec.taskId, rec.attempt));
      return;
    }
    const oneStep = g.hi - g.lo === 1n;
    // At one step the challenger owes the proof, on its clock; proveStep is open to anyone, so the
    // solver sends it itself and wins at once instead of waiting for the challenger's clock.
    if (g.turnName === "challenger" && !oneStep) {
      const left = await this.pub.readContract({ address: this.cfg.game, abi: sdk.disputeGameAbi, functionName: "clockLeft", args: [gameId, 2] });
      if (left === 0n) {
        const r = await sdk.timeout(this.wallet, { game: this.cfg.game, gameId });
        this.metrics.moves.inc({ kind: "timeout" });
        this.gas("timeout", r.receipt);
        this.log.info({ gameId }, "challenger's clock ran out: timeout claimed");
      }
      return;
    }
    if (g.turnName !== "solver" && !oneStep) return;
    // FAULT INJECTION: a silent solver never answers; a liar does not prove the step against itself.
    if (this.cfg.faults?.silent || (this.cfg.faults?.lie && g.hi - g.lo === 1n)) return;
    const trace = await this.trace(rec.taskId);
    let r: { hash: Hex; receipt: TransactionReceipt };
    let kind: "bisect" | "prove";
    if (oneStep) {
      const proof = trace.proveStep(Number(g.lo));
      r = await sdk.proveStep(this.wallet, { game: this.cfg.game, gameId, proof: bytesToHex(proof.proof) });
      kind = "prove";
    } else {
      const positions = await sdk.getPositions(this.pub, { game: this.cfg.game, lo: g.lo, hi: g.hi });
      const hashes = await trace.hashesAt(positions.map(Number));
      r = await sdk.bisect(this.wallet, { game: this.cfg.game, gameId, hashes: hashes.map((h) => bytesToHex(h)) });
      kind = "bisect";
    }
    this.metrics.moves.inc({ kind });
    this.gas(kind, r.receipt);
    await this.store.putGame({ ...rec, moves: [...rec.moves, { kind, lo: g.lo.toString(), hi: g.hi.toString(), tx: r.hash, at: Date.now() }] });
    this.log.info({ gameId, kind, lo: g.lo, hi: g.hi, gas: r.receipt.gasUsed }, "dispute move");
  }

  /** Withdraws every token with a balance once a task of ours is final. */
  private async withdrawAll(): Promise<void> {
    const tokens = new Set<Address>();
    for (const t of this.store.tasks()) if (t.state === "finalized") tokens.add((t.rewardToken ?? zeroAddress) as Address);
    if (tokens.size) tokens.add(zeroAddress); // bonds come back in ETH
    for (const token of tokens) {
      const amount = await sdk.getWithdrawable(this.pub, { market: this.cfg.market, account: this.address, token });
      if (amount === 0n) continue;
      const r = await sdk.withdraw(this.wallet, { market: this.cfg.market, token });
      this.gas("withdraw", r.receipt);
      this.log.info({ token, amount: r.amount, gas: r.receipt.gasUsed }, "withdrawn");
    }
  }
}
