// Loads each module file named on the command line as the CLI does (bounded read, then
// loadModule) and prints one JSON array of outcomes ({"ok": true} or the typed error's
// kind, message and feature), then "MAXRSS <kilobytes>" on stderr: many hostile files
// checked in one child process, with a bound on its peak memory (test/hostile.test.ts).
import { register } from "tsx/esm/api";

register();
const { loadModule } = await import("../../src/load.ts");
const { readBounded } = await import("../../src/cli.ts");
const { MAX_MODULE_BYTES } = await import("../../src/task-limits.ts");
const out = [];
for (const path of process.argv.slice(2)) {
  try {
    await loadModule(readBounded(path, MAX_MODULE_BYTES, "module file"), path);
    out.push({ ok: true });
  } catch (e) {
    out.push({ kind: e.kind ?? "internal", message: e.message, feature: e.feature });
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
process.stderr.write(`\nMAXRSS ${process.resourceUsage().maxRSS}\n`);
