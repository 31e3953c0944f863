/**
 * Error classes of the SDK, in viem's style: a `name`, a `shortMessage` a user can act on, optional
 * `details`, and the `cause`. Reverts of the protocol's contracts are decoded into
 * {@link ContractRevertError} (the custom error's name and arguments, plus what to do about it).
 */
import { BaseError as ViemBaseError, ContractFunctionRevertedError } from "viem";

export type SdkErrorParameters = { details?: string; cause?: unknown; metaMessages?: string[] };

export class SdkError extends Error {
  override name = "SdkError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, params: SdkErrorParameters = {}) {
    const lines = [shortMessage, ...(params.metaMessages ?? [])];
    if (params.details) lines.push(`Details: ${params.details}`);
    super(lines.join("\n"), params.cause === undefined ? undefined : { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.metaMessages = params.metaMessages;
  }

  /** The first error of the cause chain (this one included) for which `fn` is true. */
  walk(fn: (e: unknown) => boolean): unknown {
    let e: unknown = this;
    while (e) {
      if (fn(e)) return e;
      e = (e as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/** What a user can do about each custom error of the contracts (by error name). */
const HINTS: Record<string, string> = {
  // ModuleRegistry
  EmptyWasm: "the module's Wasm bytes are empty",
  WasmTooLarge: "the module is larger than the registry accepts",
  FieldOutOfRange: "a module field is out of range: compute the fields with the stepper (registerModule does)",
  UnknownModule: "the module is not registered: register it first (registerModule)",
  // TaskMarket
  InputTooLarge: "the input is larger than the market accepts (maxInputBytes)",
  OutputLimitTooLarge: "limits.maxOutputBytes is above the market's maximum: lower it",
  BondTooSmall: "solverBond is below the market's minimum: raise it",
  BadWindow: "solveWindow and challengeWindow must be at least 1 second and at most a year",
  DeadlinePassed: "the deadline is not in the future: set a later deadline (or ttl)",
  ConsumerGasTooHigh: "consumerGas is above the market's maximum: lower it",
  AmountTooLarge: "the reward or bond does not fit 128 bits",
  WrongValue: "send exactly the ETH the action needs (the reward for postTask, the task's solverBond for claimTask)",
  TransferAmountMismatch: "the token moved a different amount than asked (fee-on-transfer tokens are not supported)",
  UnknownTask: "no task has this id on this market: check the task id and the market address",
  WrongPhase: "the task is not in the phase this action needs: read it with getTask and act on its status",
  NotSolver: "only the solver of the current claim may do this",
  NotPoster: "only the poster of the task may do this",
  SolveWindowOver: "the claim's solve window is over: the claim can only expire now",
  SolveWindowOpen: "the claimer's solve window is still open: wait for solveDeadline",
  ResultAtStepZeroMismatch: "a result of zero steps must be the task's initial state",
  ChallengeWindowOpen: "the challenge window has not passed yet: wait for challengeDeadline",
  ChallengeWindowOver: "the challenge window of this result is over",
  GamesOpen: "games are still open against this result: they must resolve first",
  BeforeDeadline: "the task's deadline has not passed yet: it can be cancelled only after it",
  NothingToWithdraw: "this account has no withdrawable balance of that token",
  StaleAttempt: "the task moved to another attempt: read it again",
  // DisputeGame
  UnknownGame: "no game has this id: check the game id and the dispute game address",
  WrongBond: "send exactly the game's challengerBond",
  NotChallengeable: "only a submitted result can be challenged",
  NothingToDispute: "the result has no step to dispute",
  GameOver: "the game has ended",
  NotYourTurn: "the other party owes the next move of this game",
  NotChallenger: "only the game's challenger may do this",
  ClockRanOut: "this party's clock ran out: the game can only be timed out now",
  WrongHashCount: "send exactly one hash per position of getPositions(lo, hi)",
  AtOneStep: "the range is one step: prove it with proveStep instead",
  NotAtOneStep: "the range is more than one step: bisect or pick first",
  WrongHashes: "re-supply exactly the hashes of the last bisection",
  BadSegment: "the picked segment index is out of range",
  ClockNotRunOut: "the clock has time left: timeout only applies once it runs out",
  ResultStillStands: "the result has not fallen: the game cannot be closed",
};

/** A contract call reverted with one of the protocol's custom errors (or a plain revert). */
export class ContractRevertError extends SdkError {
  override name = "ContractRevertError";
  constructor(
    readonly contract: string,
    readonly functionName: string,
    readonly errorName: string | undefined,
    readonly args: readonly unknown[],
    cause: unknown,
  ) {
    const shown = errorName ? `${errorName}(${args.map(String).join(", ")})` : "a revert without a decodable reason";
    const hint = errorName ? HINTS[errorName] : undefined;
    super(`${contract}.${functionName} reverted with ${shown}${hint ? `: ${hint}` : ""}`, { cause, details: (cause as { shortMessage?: string })?.shortMessage });
  }
}

/** The task id is not on the market (getTask read an empty task). */
export class TaskNotFoundError extends SdkError {
  override name = "TaskNotFoundError";
  constructor(readonly taskId: bigint) {
    super(`task ${taskId} does not exist on this market: check the task id and the market address`);
  }
}

/** waitForResult: the poster cancelled the task (its reward was refunded). */
export class TaskCancelledError extends SdkError {
  override name = "TaskCancelledError";
  constructor(readonly taskId: bigint) {
    super(`task ${taskId} was cancelled: its reward was refunded to the poster, no result will come`);
  }
}

/** waitForResult: the deadline passed with no result standing; the poster may cancel the task. */
export class TaskExpiredError extends SdkError {
  override name = "TaskExpiredError";
  constructor(
    readonly taskId: bigint,
    readonly deadline: bigint,
  ) {
    super(`task ${taskId} expired: its deadline (${new Date(Number(deadline) * 1000).toISOString()}) passed with no result; cancelTask refunds the reward`);
  }
}

/** waitForResult: the caller's own timeout passed first. */
export class WaitTimeoutError extends SdkError {
  override name = "WaitTimeoutError";
  constructor(
    readonly taskId: bigint,
    readonly timeoutMs: number,
    readonly lastStatus: string,
  ) {
    super(`task ${taskId} is not final after ${timeoutMs} ms (status ${lastStatus}): wait longer or check that a solver serves this market`);
  }
}

/** The output bytes published for a result do not hash to the result's output hash. */
export class OutputMismatchError extends SdkError {
  override name = "OutputMismatchError";
  constructor(readonly taskId: bigint) {
    super(`the output published for task ${taskId} does not match the result's output hash`);
  }
}

/** An event the SDK needs (TaskPosted, ModuleRegistered, ResultSubmitted) is not in the scanned block range. */
export class EventNotFoundError extends SdkError {
  override name = "EventNotFoundError";
  constructor(what: string, hint: string) {
    super(`${what} not found on chain: ${hint}`);
  }
}

/** A module's recomputed fields differ from those registered under its id. */
export class ModuleMismatchError extends SdkError {
  override name = "ModuleMismatchError";
  constructor(
    readonly moduleId: string,
    readonly fields: string[],
  ) {
    super(`the Wasm bytes of module ${moduleId} do not give its registered fields (differ: ${fields.join(", ")}): refuse this module`);
  }
}

/** Bad argument to an SDK function (names the argument and what is expected). */
export class InvalidParameterError extends SdkError {
  override name = "InvalidParameterError";
}

/**
 * Turns a viem error of a contract call into a ContractRevertError when the contract reverted,
 * else returns it as it is (RPC and transport errors keep viem's own classes).
 */
export function decodeRevert(err: unknown, contract: string, functionName: string): unknown {
  if (!(err instanceof ViemBaseError)) return err;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (!reverted) return err;
  return new ContractRevertError(contract, functionName, reverted.data?.errorName ?? undefined, (reverted.data?.args as readonly unknown[]) ?? [], err);
}
