/** Prometheus metrics of the daemon, served on 127.0.0.1 (GET /metrics). */
import { Counter, Gauge, Registry } from "prom-client";
import { MetricsServer } from "./kit.ts";

export class Metrics {
  readonly registry = new Registry();
  readonly seen = new Counter({ name: "vwasm_solver_tasks_seen_total", help: "Tasks seen posted on the market", registers: [this.registry] });
  readonly claimed = new Counter({ name: "vwasm_solver_tasks_claimed_total", help: "Tasks claimed by bonding", registers: [this.registry] });
  readonly solved = new Counter({ name: "vwasm_solver_tasks_solved_total", help: "Tasks run to their final state and submitted", registers: [this.registry] });
  readonly skipped = new Counter({ name: "vwasm_solver_tasks_skipped_total", help: "Tasks refused, by reason", labelNames: ["reason"], registers: [this.registry] });
  readonly finalized = new Counter({ name: "vwasm_solver_tasks_finalized_total", help: "Results of this solver finalized", registers: [this.registry] });
  readonly disputes = new Counter({ name: "vwasm_solver_disputes_total", help: "Games opened against this solver's results", registers: [this.registry] });
  readonly moves = new Counter({ name: "vwasm_solver_moves_total", help: "Dispute moves sent (bisections, proofs, timeouts)", labelNames: ["kind"], registers: [this.registry] });
  readonly gasSpent = new Counter({ name: "vwasm_solver_gas_spent_wei_total", help: "Wei spent on gas", registers: [this.registry] });
  readonly gasUsed = new Counter({ name: "vwasm_solver_gas_used_total", help: "Gas used, by action", labelNames: ["action"], registers: [this.registry] });
  readonly steps = new Counter({ name: "vwasm_solver_steps_total", help: "Task steps executed", registers: [this.registry] });
  readonly stepsPerSecond = new Gauge({ name: "vwasm_solver_steps_per_second", help: "Steps per second of the last solve, by engine", labelNames: ["engine"], registers: [this.registry] });
  readonly rpcErrors = new Counter({ name: "vwasm_solver_rpc_errors_total", help: "Ticks that failed on an RPC error (retried with backoff)", registers: [this.registry] });
  readonly server = new MetricsServer(this.registry);
}
