/**
 * The one interface every oracle implements. An oracle owns the arbitrary of its cases (so
 * fast-check generates, shrinks and replays them by seed and path), checks one case against its
 * independent side and throws an `OracleFailure` naming the disagreement. Cases serialise to
 * JSON so a minimised failure is kept as a regression case (regressions/*.json) and replayed by
 * the test suite.
 *
 * A new oracle plugs in by implementing this interface and adding itself to the registry
 * (src/oracles/index.ts). The dispute-game oracle is one: its case is a generated program,
 * a lie (who lies, how, from which step); `setup` deploys the protocol on the in-process chain,
 * `check` plays the game to its end and fails unless the honest party wins.
 */
import type fc from "fast-check";
import type { Coverage } from "./coverage.ts";

export interface Oracle<C> {
  /** Name on the command line (`--oracle <name>`) and in regression files. */
  readonly name: string;
  /** One line: what is compared with what. */
  readonly description: string;
  /** Generates (and shrinks) the cases. */
  arbitrary(): fc.Arbitrary<C>;
  /** Expensive one-time preparation (deploying contracts, starting a child process). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Checks one case; returns the number of machine steps it covered (for steps/s). */
  check(c: C, cov: Coverage): Promise<number>;
  /** A readable form of the case (the module as WAT, the mutation...), for failure reports. */
  show(c: C): Promise<string>;
  toJSON(c: C): unknown;
  fromJSON(j: unknown): C;
}

/** A disagreement between the two sides of an oracle (or a broken invariant). */
export class OracleFailure extends Error {
  override name = "OracleFailure";
  constructor(
    readonly oracle: string,
    message: string,
  ) {
    super(`[${oracle}] ${message}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOracle = Oracle<any>;
