// Runs the CLI in this process and reports its peak resident memory on stderr
// (last line: "MAXRSS <kilobytes>"), for test/hostile.test.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../../src/cli.ts");
const code = await main(process.argv);
process.stderr.write(`\nMAXRSS ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
