/**
 * The challenger daemon's process entry.
 *
 *   vwasm-challenger --rpc <url> --deployment <deployment.json> --db <path> [--config <file.json>] [--metrics-port N]
 *   (key: env VWASM_CHALLENGER_KEY or the config file's privateKey; never printed)
 *
 * Logs are pino JSON lines on stdout; metrics on http://127.0.0.1:<port>/metrics. SIGTERM/SIGINT
 * stop it after the current tick; kill -9 loses nothing (lmdb, trace snapshots on disk).
 */
import { runDaemonMain } from "@vwasm/solver";
import { loadConfig } from "./config.ts";
import { ChallengerDaemon } from "./daemon.ts";
import { Metrics } from "./metrics.ts";
import { Store } from "./store.ts";

const USAGE = `usage: vwasm-challenger --rpc <url> --deployment <file> --db <path> [options]

  --rpc <url>            JSON-RPC endpoint, http(s):// or ws(s):// (env VWASM_RPC)
  --deployment <file>    deployment JSON (registry, market, game addresses)
  --registry/--market/--game <address>   the addresses, instead of --deployment
  --db <path>            lmdb database (claims, verdicts, games, moves); trace snapshots in <path>-traces/
  --config <file>        JSON config (any of these keys, plus "policy" and "privateKey")
  --metrics-port <n>     Prometheus metrics on 127.0.0.1:<n> (0: a free port)
  --poll-ms <n>          milliseconds between passes (default 500)
  --from-block <n>       first block to scan when the database is new
  --log-level <level>    pino level (default info)
  --fault-injection-unsafe <list>   TESTS AND DEMOS ONLY: challenge-honest (dispute right claims
                         and lose the bond), silent (never move: lose by timeout)
The private key comes from env VWASM_CHALLENGER_KEY or the config file; it is never printed.
Policy (config file "policy"): modules ("all" or module ids), maxBond, maxBondAtStake (wei),
maxSteps, quietSeconds, windowMarginSeconds.`;

runDaemonMain({
  role: "challenger",
  usage: USAGE,
  load: (flags) => loadConfig(flags),
  store: (cfg) => new Store(cfg.db),
  metrics: () => new Metrics(),
  daemon: (cfg, store, log, metrics: Metrics) => new ChallengerDaemon(cfg, store, log, metrics),
});
