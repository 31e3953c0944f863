/**
 * What every vwasm daemon (the solver, the challenger) shares: configuration from a file, the
 * environment and flags; the tick loop with backoff; the metrics server on 127.0.0.1; the lmdb
 * key-value base; the traces of their games (snapshots on disk); the process entry (flags, logs,
 * signals).
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { parseArgs } from "node:util";
import { open, type RootDatabase } from "lmdb";
import { pino, type Logger } from "pino";
import type { Registry } from "prom-client";
import * as sdk from "@vwasm/sdk";
import { FinalStateThread, openTrace, type CompiledModule, type ProveTarget, type Trace } from "@vwasm/wasm-stepper";
import { createPublicClient, createWalletClient, isAddress, isHex, type Account, type Address, type Chain, type Hex, type PublicClient, type TransactionReceipt, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { checkModule, TaskRejected } from "./solve.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Raw = Record<string, unknown>;

/** The settings every daemon has. */
export interface CommonConfig {
  rpc: string;
  privateKey: Hex;
  registry: Address;
  market: Address;
  game: Address;
  db: string;
  metricsPort: number;
  pollMs: number;
  /** First block to scan when the database has no cursor yet. */
  fromBlock: bigint;
  logLevel: string;
}

/** Reads a deployment file ({contracts: {ModuleRegistry, TaskMarket, DisputeGame}} or {registry, market, game}). */
export function readDeployment(path: string): { registry: Address; market: Address; game: Address } {
  const d = JSON.parse(readFileSync(path, "utf8")) as Raw;
  const c = (d.contracts ?? d) as Record<string, string>;
  const find = (re: RegExp, key: string) => (d[key] as Address | undefined) ?? (Object.entries(c).find(([k]) => re.test(k))?.[1] as Address | undefined);
  const out = { registry: find(/registry/i, "registry"), market: find(/market/i, "market"), game: find(/game/i, "game") };
  for (const [k, v] of Object.entries(out)) if (!v || !isAddress(v)) throw new ConfigError(`deployment ${path} has no ${k} address`);
  return out as { registry: Address; market: Address; game: Address };
}

/**
 * Merges the config file (`flags.config` or env `<prefix>_CONFIG`), the environment and the flags
 * (later wins), and reads the common settings. `role` names the daemon in messages; its key comes
 * from env `VWASM_<ROLE>_KEY`, its database from `VWASM_<ROLE>_DB`.
 */
export function loadCommonConfig(role: "solver" | "challenger", flags: Raw, env: NodeJS.ProcessEnv): { common: CommonConfig; merged: Raw } {
  const R = role.toUpperCase();
  const ENV: Record<string, string> = {
    rpc: "VWASM_RPC",
    privateKey: `VWASM_${R}_KEY`,
    registry: "VWASM_REGISTRY",
    market: "VWASM_MARKET",
    game: "VWASM_GAME",
    db: `VWASM_${R}_DB`,
    metricsPort: "VWASM_METRICS_PORT",
    pollMs: "VWASM_POLL_MS",
    fromBlock: "VWASM_FROM_BLOCK",
    logLevel: "VWASM_LOG_LEVEL",
  };
  const file = (flags.config ?? env[`VWASM_${R}_CONFIG`]) as string | undefined;
  const merged: Raw = file ? { ...(JSON.parse(readFileSync(file, "utf8")) as Raw) } : {};
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
  if (!isHex(key) || key.length !== 66) throw new ConfigError(`the ${role}'s private key must be 0x followed by 64 hex digits`);
  for (const k of ["registry", "market", "game"]) if (!isAddress(need(k))) throw new ConfigError(`${k} must be an address`);
  const common: CommonConfig = {
    rpc: need("rpc"),
    privateKey: key,
    registry: need("registry") as Address,
    market: need("market") as Address,
    game: need("game") as Address,
    db: need("db"),
    metricsPort: Number(merged.metricsPort ?? 0),
    pollMs: Number(merged.pollMs ?? 500),
    fromBlock: BigInt((merged.fromBlock as string | undefined) ?? 0),
    logLevel: String(merged.logLevel ?? "info"),
  };
  return { common, merged };
}

/** Serves a prom-client registry at GET /metrics on 127.0.0.1. */
export class MetricsServer {
  private server: Server | undefined;
  constructor(readonly registry: Registry) {}

  /** Listens on 127.0.0.1:port (0: a free port); resolves with the port. */
  async serve(port: number): Promise<number> {
    this.server = createServer(async (req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": this.registry.contentType }).end(await this.registry.metrics());
    });
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    const addr = this.server.address();
    return typeof addr === "object" && addr ? addr.port : port;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

/**
 * Runs `tick` every `pollMs`; a failing tick (an RPC error, most often) is logged and retried with
 * exponential backoff up to 30 s.
 */
export class TickLoop {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private backoff = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly pollMs: number,
    private readonly log: Logger,
    private readonly onError: () => void,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => {
          this.backoff = 0;
        })
        .catch((e: unknown) => {
          this.onError();
          this.backoff = Math.min(30_000, Math.max(250, this.backoff * 2));
          this.log.warn({ err: (e as Error).message, retryInMs: this.backoff }, "tick failed; retrying with backoff");
        })
        .finally(() => this.schedule(this.backoff || this.pollMs));
    }, ms);
  }
}

/** An lmdb database with the block cursor every daemon keeps (fsync'd commits: survives kill -9). */
export class KvStore {
  protected readonly db: RootDatabase;
  constructor(path: string) {
    this.db = open({ path, compression: false });
  }
  protected range<T>(prefix: string): T[] {
    return [...this.db.getRange({ start: `${prefix}:`, end: `${prefix};` })].map((e) => e.value as T);
  }
  cursor(): bigint | undefined {
    const c = this.db.get("cursor") as string | undefined;
    return c === undefined ? undefined : BigInt(c);
  }
  async setCursor(b: bigint): Promise<void> {
    await this.db.put("cursor", b.toString());
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}

/** The daemon options every entry point takes (node:util parseArgs). */
export const COMMON_OPTIONS = {
  rpc: { type: "string" },
  deployment: { type: "string" },
  registry: { type: "string" },
  market: { type: "string" },
  game: { type: "string" },
  db: { type: "string" },
  config: { type: "string" },
  "metrics-port": { type: "string" },
  "poll-ms": { type: "string" },
  "from-block": { type: "string" },
  "log-level": { type: "string" },
  "fault-injection-unsafe": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A daemon's process entry: parses the flags, loads the config, starts the metrics server, the
 * store and the daemon, logs where it listens, stops cleanly on SIGTERM/SIGINT. A ConfigError exits
 * 2 with its message; anything else exits 1.
 */
export function runDaemonMain<C extends CommonConfig, S extends { close(): Promise<void> }>(opts: {
  role: "solver" | "challenger";
  usage: string;
  load: (flags: Raw) => C;
  store: (cfg: C) => S;
  metrics: () => { server: MetricsServer };
  daemon: (cfg: C, store: S, log: Logger, metrics: never) => Daemon;
}): void {
  const main = async () => {
    const { values } = parseArgs({ options: COMMON_OPTIONS });
    if (values.help) {
      console.log(opts.usage);
      return;
    }
    const cfg = opts.load({
      rpc: values.rpc,
      deployment: values.deployment,
      registry: values.registry,
      market: values.market,
      game: values.game,
      db: values.db,
      config: values.config,
      metricsPort: values["metrics-port"],
      pollMs: values["poll-ms"],
      fromBlock: values["from-block"],
      logLevel: values["log-level"],
      faultInjectionUnsafe: values["fault-injection-unsafe"],
    });
    // Amounts, ids and block numbers are bigints: logged as decimal strings (JSON numbers would round them).
    const log = pino({
      level: cfg.logLevel,
      base: { svc: opts.role },
      formatters: { log: (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) },
    });
    const metrics = opts.metrics();
    const port = await metrics.server.serve(cfg.metricsPort);
    const store = opts.store(cfg);
    const daemon = opts.daemon(cfg, store, log, metrics as never);
    log.info({ metrics: `http://127.0.0.1:${port}/metrics`, db: cfg.db, rpc: cfg.rpc }, `${opts.role} listening`);
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ sig }, "stopping");
      await daemon.stop();
      await metrics.server.close();
      await store.close();
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
    await daemon.start();
  };
  main().catch((e: unknown) => {
    console.error(e instanceof ConfigError ? `vwasm-${opts.role}: ${e.message}` : e);
    process.exit(e instanceof ConfigError ? 2 : 1);
  });
}

/**
 * The traces a daemon disputes or defends with, one per claim (`name`, e.g. `<taskId>-<attempt>`):
 * each opened once and shared by the moves of its game, its snapshots on disk under
 * `<db>-traces/<name>` (wasm-stepper openTrace), so a restarted daemon (kill -9 included) loads it
 * instead of re-running the task, and deleted when the game is over.
 */
export class TraceCache {
  private readonly open = new Map<string, Promise<Trace>>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {}

  dir(name: string): string {
    return `${this.root}/${name}`;
  }

  has(name: string): boolean {
    return this.open.has(name);
  }

  /** A trace already at hand (the faulty solver's false one). */
  set(name: string, trace: Trace): void {
    this.open.set(name, Promise.resolve(trace));
  }

  /**
   * The trace `name`: from memory, else from disk when saved there under `key` (the fingerprint of
   * what was traced), else built from `target()` and saved. A failure is not kept (tried again at the
   * next call). Logs "trace loaded from disk" or "trace built".
   */
  get(name: string, key: string, taskId: string, target: () => Promise<ProveTarget>, onOpen?: (t: Trace) => void): Promise<Trace> {
    let t = this.open.get(name);
    if (!t) {
      t = (async () => {
        const tg = await target();
        const t0 = performance.now();
        const { trace, loaded } = await openTrace(tg, this.dir(name), key, { workers: 0, onProgress: (steps) => this.log.info({ taskId, steps }, "trace progress") });
        onOpen?.(trace);
        this.log.info({ taskId, steps: trace.steps, snapshots: trace.snapshotCount, loaded, ms: Math.round(performance.now() - t0) }, loaded ? "trace loaded from disk" : "trace built");
        return trace;
      })();
      t.catch(() => this.open.delete(name));
      this.open.set(name, t);
    }
    return t;
  }

  /** Closes the trace `name` and deletes its snapshots. */
  async drop(name: string): Promise<void> {
    const t = this.open.get(name);
    this.open.delete(name);
    await (await t?.catch(() => undefined))?.close();
    rmSync(this.dir(name), { recursive: true, force: true });
  }

  /** Closes every open trace (their snapshots stay on disk). */
  async close(): Promise<void> {
    for (const t of this.open.values()) await (await t.catch(() => undefined))?.close();
    this.open.clear();
  }
}

/** What a chain daemon's metrics must have for the base class. */
export interface BaseMetrics {
  rpcErrors: { inc(): void };
  gasUsed: { inc(labels: { action: string }, v: number): void };
  gasSpent: { inc(v: number): void };
}

/**
 * The chain side every daemon shares: its account, clients, tick loop, the registry's modules
 * (loaded once, checked against their registration), and gas accounting.
 */
export abstract class ChainDaemon<C extends CommonConfig, M extends BaseMetrics> {
  readonly account: Account;
  protected pub!: PublicClient;
  protected wallet!: WalletClient;
  private loop: TickLoop | undefined;
  /** Final states (wasm-stepper nativeFinalState) computed off the event loop: a long interpretation does not stop the ticks. */
  protected readonly finalStates = new FinalStateThread();
  /** The traces of our games, snapshots under `<db>-traces/`. */
  protected readonly traces: TraceCache;
  private readonly modules = new Map<string, CompiledModule | TaskRejected>();

  constructor(
    readonly cfg: C,
    readonly log: Logger,
    readonly metrics: M,
  ) {
    this.account = privateKeyToAccount(cfg.privateKey);
    this.traces = new TraceCache(`${cfg.db}-traces`, log);
  }

  get address(): Address {
    return this.account.address;
  }

  /** One pass of the daemon (exposed for tests). */
  abstract tick(): Promise<void>;

  /** Connects the clients, then runs `tick` every pollMs. */
  protected async startLoop(): Promise<void> {
    const transport = sdk.transportFor(this.cfg.rpc);
    const chain: Chain = sdk.chainFor(await createPublicClient({ transport }).getChainId(), this.cfg.rpc);
    this.pub = createPublicClient({ chain, transport, pollingInterval: this.cfg.pollMs }) as PublicClient;
    this.wallet = createWalletClient({ chain, transport, account: this.account });
    this.finalStates.warm();
    this.loop = new TickLoop(() => this.tick(), this.cfg.pollMs, this.log, () => this.metrics.rpcErrors.inc());
    this.loop.start();
  }

  protected get stopped(): boolean {
    return this.loop?.isStopped ?? false;
  }

  protected async stopLoop(): Promise<void> {
    await this.loop?.stop();
    await this.finalStates.close();
    await this.traces.close();
  }

  /** The module, compiled and checked against its registered fields, or why it cannot be run. */
  protected async module(moduleId: Hex): Promise<CompiledModule | TaskRejected> {
    let m = this.modules.get(moduleId);
    if (!m) {
      const [code, fields] = await Promise.all([sdk.getModuleCode(this.pub, { registry: this.cfg.registry, moduleId }), sdk.getModule(this.pub, { registry: this.cfg.registry, moduleId })]);
      // The registered bytes first, then every copy offered with publish: the first that gives the fields.
      for (const wasm of [code.wasm, ...code.published]) {
        try {
          m = checkModule(wasm, fields);
          break;
        } catch (e) {
          if (!(e instanceof TaskRejected)) throw e;
          if (!m) m = e;
        }
      }
      if (!m) throw new Error(`no bytes for module ${moduleId}`);
      // A refusal is not cached: correct bytes may be published later.
      if (!(m instanceof TaskRejected)) this.modules.set(moduleId, m);
    }
    return m;
  }

  protected gas(action: string, receipt: TransactionReceipt): void {
    this.metrics.gasUsed.inc({ action }, Number(receipt.gasUsed));
    this.metrics.gasSpent.inc(Number(receipt.gasUsed * receipt.effectiveGasPrice));
  }
}
