// The kit's TraceCache: a trace is built once and saved, a new cache on the same directory (a
// restarted daemon) loads it from disk, a different fingerprint is not loaded, drop deletes it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileWasm, stateHashAt } from "@vwasm/wasm-stepper";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { TraceCache } from "../src/kit.ts";

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "vwasm-traces-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cm = compileWasm(new Uint8Array(readFileSync(require.resolve("@vwasm/wasm-stepper/examples/as/sha256.wasm"))));
const target = { cm, opts: { input: new TextEncoder().encode("traced"), limits: { maxSteps: 1e6 } } };

function cache(): { c: TraceCache; msgs: string[] } {
  const msgs: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void msgs.push((JSON.parse(line) as { msg: string }).msg) });
  return { c: new TraceCache(dir, log), msgs };
}

describe("TraceCache", () => {
  it("test_traceCache_builtOnce_loadedByARestartedDaemon_droppedFromDisk", async () => {
    const a = cache();
    let targets = 0;
    const get = (x: TraceCache, key: string) => x.get("7-1", key, "7", async () => (targets++, target));
    const t = await get(a.c, "k1");
    expect(await get(a.c, "k1")).toBe(t);
    expect(targets).toBe(1);
    expect(a.msgs).toContain("trace built");
    const at = Math.floor(t.steps / 2);
    const [h] = await t.hashesAt([at]);
    expect(Buffer.from(h!).toString("hex")).toBe(Buffer.from(stateHashAt(target, at)).toString("hex"));
    await a.c.close();

    const b = cache();
    const again = await get(b.c, "k1");
    expect(b.msgs).toEqual(["trace loaded from disk"]);
    expect(Buffer.from((await again.hashesAt([at]))[0]!).toString("hex")).toBe(Buffer.from(h!).toString("hex"));
    await b.c.close();

    const other = cache();
    await get(other.c, "k2");
    expect(other.msgs).toContain("trace built");
    await other.c.drop("7-1");
    expect(existsSync(other.c.dir("7-1"))).toBe(false);
  });
});
