/**
 * Solver configuration: a JSON file (--config), then environment variables, then flags (later wins).
 * The private key is never logged or printed.
 */
import { readFileSync } from "node:fs";
import { isAddress, isHex, zeroAddress, type Address, type Hex } from "viem";

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

export interface SolverConfig {
  rpc: string;
  privateKey: Hex;
  registry: Address;
  market: Address;
  game: Address;
  db: string;
  metricsPort: number;
  pollMs: number;
  /** First block to scan for tasks when the database has no cursor yet. */
  fromBlock: bigint;
  policy: Policy;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const DEFAULT_POLICY: Policy = { assets: { ETH: 0n }, maxSteps: 10n ** 10n, maxInputBytes: 1 << 20, maxBond: 10n ** 18n, maxActiveClaims: 4 };

type Raw = Record<string, unknown>;

const ENV: Record<string, string> = {
  rpc: "VWASM_RPC",
  privateKey: "VWASM_SOLVER_KEY",
  registry: "VWASM_REGISTRY",
  market: "VWASM_MARKET",
  game: "VWASM_GAME",
  db: "VWASM_SOLVER_DB",
  metricsPort: "VWASM_METRICS_PORT",
  pollMs: "VWASM_POLL_MS",
  fromBlock: "VWASM_FROM_BLOCK",
  logLevel: "VWASM_LOG_LEVEL",
};

/** Reads a deployment file ({contracts: {ModuleRegistry, TaskMarket, DisputeGame}} or {registry, market, game}). */
export function readDeployment(path: string): { registry: Address; market: Address; game: Address } {
  const d = JSON.parse(readFileSync(path, "utf8")) as Raw;
  const c = (d.contracts ?? d) as Record<string, string>;
  const find = (re: RegExp, key: string) => (d[key] as Address | undefined) ?? (Object.entries(c).find(([k]) => re.test(k))?.[1] as Address | undefined);
  const out = { registry: find(/registry/i, "registry"), market: find(/market/i, "market"), game: find(/game/i, "game") };
  for (const [k, v] of Object.entries(out)) if (!v || !isAddress(v)) throw new ConfigError(`deployment ${path} has no ${k} address`);
  return out as { registry: Address; market: Address; game: Address };
}

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

export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): SolverConfig {
  const file = (flags.config ?? env.VWASM_SOLVER_CONFIG) as string | undefined;
  const fromFile: Raw = file ? (JSON.parse(readFileSync(file, "utf8")) as Raw) : {};
  const merged: Raw = { ...fromFile };
  for (const [k, e] of Object.entries(ENV)) if (env[e] !== undefined) merged[k] = env[e];
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k !== "config") merged[k] = v;
  const deployment = merged.deployment as string | undefined;
  if (deployment) Object.assign(merged, { ...readDeployment(deployment), ...Object.fromEntries(["registry", "market", "game"].filter((k) => flags[k]).map((k) => [k, flags[k]])) });
  const need = (k: string): string => {
    const v = merged[k];
    if (v === undefined || v === "") throw new ConfigError(`missing ${k}: pass --${k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}, set ${ENV[k] ?? "it in the config file"}`);
    return String(v);
  };
  const key = need("privateKey");
  if (!isHex(key) || key.length !== 66) throw new ConfigError("the solver's private key must be 0x followed by 64 hex digits");
  for (const k of ["registry", "market", "game"]) if (!isAddress(need(k))) throw new ConfigError(`${k} must be an address`);
  return {
    rpc: need("rpc"),
    privateKey: key,
    registry: need("registry") as Address,
    market: need("market") as Address,
    game: need("game") as Address,
    db: need("db"),
    metricsPort: Number(merged.metricsPort ?? 0),
    pollMs: Number(merged.pollMs ?? 500),
    fromBlock: BigInt((merged.fromBlock as string | undefined) ?? 0),
    policy: parsePolicy(merged.policy as Raw | undefined),
    logLevel: String(merged.logLevel ?? "info"),
  };
}
