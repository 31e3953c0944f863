/**
 * The loader oracle's child process: loads (decode, validate, compile), instantiates and runs
 * (a bounded number of steps) each module it is sent, and answers with the outcome. It runs in
 * its own process so that a crash or a hang of the loader is observed, not suffered.
 */
import { loadModule, Machine, runNativeTask, StepperError, type RunResult } from "@vwasm/wasm-stepper";

export interface LoaderRequest {
  id: number;
  bytes: Uint8Array;
}

export interface LoaderReply {
  id: number;
  /** "ran:<status>" when it loaded and ran, or the error. */
  outcome: string;
  /** The error's class name and kind when it is a typed StepperError; undefined otherwise. */
  typed?: { name: string; kind: string; message: string };
  untyped?: string;
  /** WebAssembly.validate on the same bytes (V8). */
  v8valid: boolean;
  /** When it loaded and ran: how the native engine's run differs from the interpreter's. */
  engineMismatch?: string;
}

const LIMITS = { maxSteps: 20_000, maxMemoryPages: 16 };

function fmt(r: RunResult): string {
  return `${r.status}${r.trap ? `:${r.trap}` : ""} steps=${r.steps} results=[${r.results.map((v) => `${v.type}:${v.value}`).join(",")}] output=${Buffer.from(r.output).toString("hex")}`;
}

const WA = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;

process.on("message", async (msg: LoaderRequest) => {
  const bytes = new Uint8Array(msg.bytes);
  const reply: LoaderReply = { id: msg.id, outcome: "", v8valid: WA.validate(bytes) };
  try {
    const cm = await loadModule(bytes);
    const r = Machine.forTask(cm, { limits: LIMITS }).run();
    reply.outcome = `ran:${r.status}`;
    // a mutant that still loads is a new program: the two stepper engines must agree on it
    const n = runNativeTask(cm, { limits: LIMITS });
    if (fmt(n) !== fmt(r)) reply.engineMismatch = `interpreter ${fmt(r)}; native ${fmt(n)}`;
  } catch (e) {
    if (e instanceof StepperError) {
      reply.outcome = e.name;
      reply.typed = { name: e.name, kind: e.kind, message: e.message };
    } else {
      reply.outcome = "untyped";
      reply.untyped = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    }
  }
  process.send!(reply);
});
process.send!({ ready: true });
