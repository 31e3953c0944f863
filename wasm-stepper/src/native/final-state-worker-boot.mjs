// Entry point of the FinalStateThread's worker (final-state-thread.ts): loads the TypeScript
// nativeFinalState, registering tsx's loader in this thread first when the thread cannot import .ts
// by itself (as trace-worker-boot.mjs does), then answers { id, cm, opts } messages one at a time.
import { parentPort } from "node:worker_threads";

async function load() {
  try {
    return await import("./final-state.ts");
  } catch (e) {
    if (e?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw e;
  }
  const { register } = await import("tsx/esm/api");
  register();
  return await import("./final-state.ts?tsx");
}

const loading = load();
loading.catch(() => {});

parentPort.on("message", async ({ id, cm, opts }) => {
  try {
    const { nativeFinalState } = await loading;
    parentPort.postMessage({ id, value: nativeFinalState(cm, opts) });
  } catch (e) {
    parentPort.postMessage({ id, error: { name: e?.name ?? "Error", message: e?.message ?? String(e), stack: e?.stack } });
  }
});
