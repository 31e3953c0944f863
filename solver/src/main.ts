/**
 * The solver daemon's process entry.
 *
 *   vwasm-solver --rpc <url> --deployment <deployment.json> --db <dir> [--config <file.json>] [--metrics-port N]
 *   (key: env VWASM_SOLVER_KEY or the config file's privateKey; never printed)
 *
 * Logs are pino JSON lines on stdout; metrics on http://127.0.0.1:<port>/metrics. SIGTERM/SIGINT
 * stop it after the current tick; kill -9 loses nothing (lmdb).
 */
import { parseArgs } from "node:util";
import { pino } from "pino";
import { ConfigError, loadConfig } from "./config.ts";
import { SolverDaemon } from "./daemon.ts";
import { Metrics } from "./metrics.ts";
import { Store } from "./store.ts";

const USAGE = `usage: vwasm-solver --rpc <url> --deployment <file> --db <dir> [options]

  --rpc <url>            JSON-RPC endpoint, http(s):// or ws(s):// (env VWASM_RPC)
  --deployment <file>    deployment JSON (registry, market, game addresses)
  --registry/--market/--game <address>   the addresses, instead of --deployment
  --db <dir>             lmdb directory for claims, games and moves (env VWASM_SOLVER_DB)
  --config <file>        JSON config (any of these keys, plus "policy" and "privateKey")
  --metrics-port <n>     Prometheus metrics on 127.0.0.1:<n> (0: a free port; env VWASM_METRICS_PORT)
  --poll-ms <n>          milliseconds between passes (default 500)
  --from-block <n>       first block to scan when the database is new
  --log-level <level>    pino level (default info)
The private key comes from env VWASM_SOLVER_KEY or the config file; it is never printed.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const cfg = loadConfig({
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
  });
  // Amounts, ids and block numbers are bigints: logged as decimal strings (JSON numbers would round them).
  const log = pino({
    level: cfg.logLevel,
    base: { svc: "solver" },
    formatters: { log: (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) },
  });
  const metrics = new Metrics();
  const port = await metrics.serve(cfg.metricsPort);
  const store = new Store(cfg.db);
  const daemon = new SolverDaemon(cfg, store, log, metrics);
  log.info({ metrics: `http://127.0.0.1:${port}/metrics`, db: cfg.db, rpc: cfg.rpc }, "solver listening");
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ sig }, "stopping");
    await daemon.stop();
    await metrics.close();
    await store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  await daemon.start();
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? `vwasm-solver: ${e.message}` : e);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
