/**
 * The solver daemon's process entry.
 *
 *   vwasm-solver --rpc <url> --deployment <deployment.json> --db <dir> [--config <file.json>] [--metrics-port N]
 *   (key: env VWASM_SOLVER_KEY or the config file's privateKey; never printed)
 *
 * Logs are pino JSON lines on stdout; metrics on http://127.0.0.1:<port>/metrics. SIGTERM/SIGINT
 * stop it after the current tick; kill -9 loses nothing (lmdb).
 */
import { loadConfig } from "./config.ts";
import { SolverDaemon } from "./daemon.ts";
import { runDaemonMain } from "./kit.ts";
import { Metrics } from "./metrics.ts";
import { Store } from "./store.ts";

const USAGE = `usage: vwasm-solver --rpc <url> --deployment <file> --db <dir> [options]

  --rpc <url>            JSON-RPC endpoint, http(s):// or ws(s):// (env VWASM_RPC)
  --deployment <file>    deployment JSON (registry, market, game addresses)
  --registry/--market/--game <address>   the addresses, instead of --deployment
  --db <dir>             lmdb directory for claims, games and moves (env VWASM_SOLVER_DB); trace snapshots in <dir>-traces/
  --config <file>        JSON config (any of these keys, plus "policy" and "privateKey")
  --metrics-port <n>     Prometheus metrics on 127.0.0.1:<n> (0: a free port; env VWASM_METRICS_PORT)
  --poll-ms <n>          milliseconds between passes (default 500)
  --from-block <n>       first block to scan when the database is new
  --log-level <level>    pino level (default info)
  --fault-injection-unsafe <spec>   TESTS AND DEMOS ONLY: submit a false result and defend it
                         (lie-output | lie-steps | diverge-at=N, optionally ",silent"); see src/fault.ts
The private key comes from env VWASM_SOLVER_KEY or the config file; it is never printed.`;

runDaemonMain({
  role: "solver",
  usage: USAGE,
  load: (flags) => loadConfig(flags),
  store: (cfg) => new Store(cfg.db),
  metrics: () => new Metrics(),
  daemon: (cfg, store, log, metrics: Metrics) => new SolverDaemon(cfg, store, log, metrics),
});
