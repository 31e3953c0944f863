// Entry point of the trace worker threads (piscina's `filename`): loads the
// TypeScript worker, registering tsx's loader in this thread first when the
// thread cannot import .ts by itself. A thread inherits `--import tsx` when the
// parent process was started with it; it does not inherit a loader registered
// through tsx's API (bin/wasm-stepper.mjs) nor vitest's transform.
//
// Loading starts when the thread starts (piscina loads this file then), not at
// the first task; no top-level await, so piscina's require() of this file works.
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

const loading = load();
// A load error is reported by the first task, not as an unhandled rejection.
loading.catch(() => {});

export default async function hashTask(task) {
  return (await loading)(task);
}
