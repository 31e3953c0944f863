// Entry point of the trace worker threads (piscina's `filename`): loads the
// TypeScript worker, registering tsx's loader in this thread first when the
// thread cannot import .ts by itself. A thread inherits `--import tsx` when the
// parent process was started by tsx; it does not inherit a loader registered
// through tsx's API (bin/wasm-stepper.mjs) nor vitest's transform.
let handler;

async function load() {
  try {
    return (await import("./trace-worker.ts")).default;
  } catch (e) {
    if (e?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw e;
  }
  const { register } = await import("tsx/esm/api");
  register();
  // A new URL: the failed import above may be cached under the plain one.
  return (await import("./trace-worker.ts?tsx")).default;
}

export default async function hashTask(task) {
  handler ??= await load();
  return handler(task);
}
