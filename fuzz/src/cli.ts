/**
 * `npm run fuzz -- --runs N --seed S [--oracle name[,name...]] [--path P] [--no-save]`
 *
 * Runs each oracle for N cases from seed S (a random seed, printed, when omitted), prints runs/s
 * and steps/s per oracle and the coverage summary; a failure prints its seed and fast-check path
 * (replayed exactly with --seed S --path P) and its minimised case, kept in regressions/.
 * Exit code 1 when an oracle failed, 2 on a usage error.
 */
import { Coverage } from "./coverage.ts";
import { ORACLES, oracleByName } from "./oracles/index.ts";
import { REGRESSIONS_DIR } from "./paths.ts";
import { formatReport, runOracle } from "./runner.ts";

class UsageError extends Error {
  override name = "UsageError";
}

interface Args {
  runs: number;
  seed: number;
  path?: string;
  oracles: string[];
  save: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 100, seed: (Date.now() ^ (Math.random() * 2 ** 31)) | 0, oracles: ORACLES.map((o) => o.name), save: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new UsageError(`${k} needs a value`);
      return x;
    };
    const int = (s: string) => {
      if (!/^-?\d+$/.test(s)) throw new UsageError(`${k} needs an integer, got "${s}"`);
      return Number(s);
    };
    if (k === "--runs") a.runs = int(v());
    else if (k === "--seed") a.seed = int(v());
    else if (k === "--path") a.path = v();
    else if (k === "--oracle") a.oracles = v().split(",");
    else if (k === "--no-save") a.save = false;
    else if (k === "--help" || k === "-h") {
      console.log(`usage: npm run fuzz -- --runs N --seed S [--oracle ${ORACLES.map((o) => o.name).join("|")}[,...]] [--path P] [--no-save]\n\n${ORACLES.map((o) => `  ${o.name.padEnd(10)} ${o.description}`).join("\n")}`);
      process.exit(0);
    } else throw new UsageError(`unknown argument "${k}" (see --help)`);
  }
  if (a.runs < 1) throw new UsageError("--runs must be at least 1");
  if (a.path !== undefined && a.oracles.length !== 1) throw new UsageError("--path replays one oracle's case: give exactly one --oracle");
  return a;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    args.oracles.forEach(oracleByName);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    return 2;
  }
  console.log(`fuzz: seed ${args.seed}, ${args.runs} runs per oracle${args.path ? `, path ${args.path}` : ""}`);
  const total = new Coverage();
  let failed = 0;
  for (const name of args.oracles) {
    const r = await runOracle(oracleByName(name), { runs: args.runs, seed: args.seed, path: args.path, regressionsDir: args.save ? REGRESSIONS_DIR : undefined });
    console.log(formatReport(r));
    total.merge(r.coverage);
    if (r.failure) failed++;
  }
  console.log(`coverage (all oracles):\n${total.summary().replace(/^/gm, "  ")}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
