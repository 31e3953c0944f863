/**
 * Challenger configuration: a JSON file (--config), then environment variables, then flags (later
 * wins), as the solver's. The private key is never logged or printed.
 */
import { ConfigError, loadCommonConfig, type CommonConfig } from "@vwasm/solver";
import { isHex } from "viem";

export { ConfigError };

export interface ChallengerPolicy {
  /** Which claims to check: "all" (default), or only tasks of these module ids. */
  modules: "all" | string[];
  /** Largest challenger bond risked on one game, in wei (a game whose bond is above is not opened). */
  maxBond: bigint;
  /** Total bonds at stake in open games at once, in wei. */
  maxBondAtStake: bigint;
  /** Largest maxSteps re-executed (a task above is logged and not checked). */
  maxSteps: bigint;
  /**
   * Another challenger's game on a claim we find wrong: open our own game when its challenger has not
   * moved for this many seconds on its turn, or when the claim's window closes within `windowMarginSeconds`.
   */
  quietSeconds: number;
  windowMarginSeconds: number;
}

/**
 * FAULT INJECTION, for tests and demos only: "challenge-honest" disputes claims it finds right (and
 * loses its bond), "silent" never moves in its games (and loses by timeout).
 */
export type ChallengerFault = "challenge-honest" | "silent";

export interface ChallengerConfig extends CommonConfig {
  policy: ChallengerPolicy;
  faults: ChallengerFault[];
}

export const DEFAULT_CHALLENGER_POLICY: ChallengerPolicy = {
  modules: "all",
  maxBond: 10n ** 18n,
  maxBondAtStake: 10n ** 19n,
  maxSteps: 10n ** 10n,
  quietSeconds: 60,
  windowMarginSeconds: 2,
};

type Raw = Record<string, unknown>;

function parsePolicy(raw: Raw | undefined): ChallengerPolicy {
  const p = { ...DEFAULT_CHALLENGER_POLICY };
  if (!raw) return p;
  if (raw.modules !== undefined) {
    if (raw.modules !== "all" && !(Array.isArray(raw.modules) && raw.modules.every((m) => typeof m === "string" && isHex(m) && m.length === 66)))
      throw new ConfigError(`policy.modules must be "all" or a list of module ids (0x + 64 hex digits)`);
    p.modules = raw.modules === "all" ? "all" : (raw.modules as string[]).map((m) => m.toLowerCase());
  }
  const big = (k: "maxBond" | "maxBondAtStake" | "maxSteps") => {
    if (raw[k] === undefined) return;
    try {
      p[k] = BigInt(raw[k] as string);
    } catch {
      throw new ConfigError(`policy.${k} must be an integer, got ${JSON.stringify(raw[k])}`);
    }
  };
  big("maxBond");
  big("maxBondAtStake");
  big("maxSteps");
  for (const k of ["quietSeconds", "windowMarginSeconds"] as const) {
    if (raw[k] === undefined) continue;
    const v = Number(raw[k]);
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`policy.${k} must be a non-negative number`);
    p[k] = v;
  }
  return p;
}

/** Parses `--fault-injection-unsafe a,b`. */
export function parseChallengerFaults(spec: string | undefined): ChallengerFault[] {
  if (!spec) return [];
  return spec.split(",").map((s) => {
    const f = s.trim();
    if (f !== "challenge-honest" && f !== "silent") throw new ConfigError(`unknown fault "${f}" (challenge-honest, silent)`);
    return f;
  });
}

export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): ChallengerConfig {
  const { common, merged } = loadCommonConfig("challenger", flags, env);
  return { ...common, policy: parsePolicy(merged.policy as Raw | undefined), faults: parseChallengerFaults(merged.faultInjectionUnsafe as string | undefined) };
}
