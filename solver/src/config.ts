/**
 * Solver configuration: a JSON file (--config), then environment variables, then flags (later wins).
 * The private key is never logged or printed.
 */
import { isAddress, zeroAddress, type Address } from "viem";
import { ConfigError, loadCommonConfig, readDeployment, type CommonConfig } from "./kit.ts";

export { ConfigError, readDeployment };
import { FaultSpecError, parseSolverFaults, type SolverFaults } from "./fault.ts";

export interface Policy {
  /** Minimum reward per step of maxSteps, per accepted asset ("ETH" or a token address), in its smallest unit. */
  assets: Record<string, bigint>;
  /** Largest maxSteps accepted. */
  maxSteps: bigint;
  /** Largest input accepted, in bytes. */
  maxInputBytes: number;
  /** Largest solver bond posted, in wei. */
  maxBond: bigint;
  /** Claims in flight at once (unsubmitted), so several daemons share a burst of tasks. */
  maxActiveClaims: number;
}

export interface SolverConfig extends CommonConfig {
  policy: Policy;
  /** FAULT INJECTION (tests and demos only; fault.ts): undefined for an honest solver. */
  faults?: SolverFaults;
}

export const DEFAULT_POLICY: Policy = { assets: { ETH: 0n }, maxSteps: 10n ** 10n, maxInputBytes: 1 << 20, maxBond: 10n ** 18n, maxActiveClaims: 4 };

type Raw = Record<string, unknown>;

function parsePolicy(raw: Raw | undefined): Policy {
  const p = { ...DEFAULT_POLICY };
  if (!raw) return p;
  if (raw.assets) {
    p.assets = {};
    for (const [k, v] of Object.entries(raw.assets as Record<string, string | number>)) {
      if (k !== "ETH" && !isAddress(k)) throw new ConfigError(`policy.assets: ${k} is neither ETH nor a token address`);
      p.assets[k === "ETH" ? "ETH" : k.toLowerCase()] = BigInt(v);
    }
  }
  if (raw.maxSteps !== undefined) p.maxSteps = BigInt(raw.maxSteps as string);
  if (raw.maxInputBytes !== undefined) p.maxInputBytes = Number(raw.maxInputBytes);
  if (raw.maxBond !== undefined) p.maxBond = BigInt(raw.maxBond as string);
  if (raw.maxActiveClaims !== undefined) p.maxActiveClaims = Number(raw.maxActiveClaims);
  return p;
}

/** The minimum reward per step for a reward token, or undefined if the policy does not accept it. */
export function minRewardPerStep(policy: Policy, token: Address): bigint | undefined {
  return token === zeroAddress ? policy.assets.ETH : policy.assets[token.toLowerCase()];
}

function faultsOf(spec: string | undefined): { faults?: SolverFaults } {
  try {
    const faults = parseSolverFaults(spec);
    return faults ? { faults } : {};
  } catch (e) {
    if (e instanceof FaultSpecError) throw new ConfigError(`--fault-injection-unsafe: ${e.message}`);
    throw e;
  }
}

export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): SolverConfig {
  const { common, merged } = loadCommonConfig("solver", flags, env);
  return { ...common, policy: parsePolicy(merged.policy as Raw | undefined), ...faultsOf(merged.faultInjectionUnsafe as string | undefined) };
}
