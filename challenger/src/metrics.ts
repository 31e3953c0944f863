/** Prometheus metrics of the challenger, served on 127.0.0.1 (GET /metrics). */
import { MetricsServer } from "@vwasm/solver";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly claimsSeen = new Counter({ name: "vwasm_challenger_claims_seen_total", help: "Result claims seen", registers: [this.registry] });
  readonly checked = new Counter({ name: "vwasm_challenger_claims_checked_total", help: "Claims re-executed, by verdict", labelNames: ["verdict"], registers: [this.registry] });
  readonly skipped = new Counter({ name: "vwasm_challenger_claims_skipped_total", help: "Claims not checked, by reason", labelNames: ["reason"], registers: [this.registry] });
  readonly checkSeconds = new Histogram({ name: "vwasm_challenger_check_seconds", help: "Time to check a claim (native run and final state hash)", labelNames: ["engine"], buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120], registers: [this.registry] });
  readonly vmSteps = new Counter({ name: "vwasm_challenger_vm_steps_total", help: "Task steps re-executed", registers: [this.registry] });
  readonly games = new Counter({ name: "vwasm_challenger_games_total", help: "Games opened by this challenger", registers: [this.registry] });
  readonly gamesInFlight = new Gauge({ name: "vwasm_challenger_games_in_flight", help: "Games of this challenger not yet resolved", registers: [this.registry] });
  readonly outcomes = new Counter({ name: "vwasm_challenger_games_resolved_total", help: "Our games resolved, by outcome", labelNames: ["outcome"], registers: [this.registry] });
  readonly moves = new Counter({ name: "vwasm_challenger_moves_total", help: "Moves sent (pick, prove, timeout, challenge)", labelNames: ["kind"], registers: [this.registry] });
  readonly actSeconds = new Histogram({ name: "vwasm_challenger_act_seconds", help: "Time from seeing our turn to the move's receipt", labelNames: ["kind"], buckets: [0.1, 0.5, 1, 2, 5, 15, 60], registers: [this.registry] });
  readonly gasUsed = new Counter({ name: "vwasm_challenger_gas_used_total", help: "Gas used, by action", labelNames: ["action"], registers: [this.registry] });
  readonly gasSpent = new Counter({ name: "vwasm_challenger_gas_spent_wei_total", help: "Wei spent on gas", registers: [this.registry] });
  readonly traceBytes = new Gauge({ name: "vwasm_challenger_trace_snapshot_bytes", help: "Bytes held by trace snapshots in memory", registers: [this.registry] });
  readonly rpcErrors = new Counter({ name: "vwasm_challenger_rpc_errors_total", help: "Ticks that failed (retried with backoff)", registers: [this.registry] });
  readonly server = new MetricsServer(this.registry);
}
