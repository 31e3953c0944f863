// The built SDK runs on plain Node (no tsx, no TypeScript loader): what a dapp bundles.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { outputHash } from "../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("built package", () => {
  it("test_dist_loadsOnPlainNode_sameResults", () => {
    const script = `import("@vwasm/sdk").then((m) => { process.stdout.write(JSON.stringify({ n: Object.keys(m).includes("postTask") && Object.keys(m).includes("waitForResult"), h: m.outputHash(new Uint8Array([1, 2, 3])) })); })`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ n: true, h: outputHash(new Uint8Array([1, 2, 3])) });
  });
});
