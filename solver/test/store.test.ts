import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Store } from "../src/store.ts";

const dir = mkdtempSync(join(tmpdir(), "vwasm-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("store", () => {
  it("test_store_reopened_keepsTasksGamesCursor", async () => {
    const a = new Store(dir);
    await a.putTask({ taskId: "7", state: "claimed", attempt: 1, result: { finalStateHash: "0x01", headerWords: "0x02", output: "0x", steps: 5, status: "finished" } });
    await a.putTask({ taskId: "8", state: "skipped", reason: "waiting" });
    await a.putGame({ gameId: "3", taskId: "7", attempt: 1, moves: [{ kind: "bisect", lo: "0", hi: "100", tx: "0xab", at: 1 }] });
    await a.setCursor(1234n);
    await a.close();
    const b = new Store(dir);
    expect(b.getTask(7n)?.state).toBe("claimed");
    expect(b.getTask(7n)?.result?.steps).toBe(5);
    expect(b.tasks().map((t) => t.taskId)).toEqual(["7", "8"]);
    expect(b.games()[0]?.moves[0]?.kind).toBe("bisect");
    expect(b.cursor()).toBe(1234n);
    expect(b.getTask(9n)).toBeUndefined();
    await b.close();
  });
});
