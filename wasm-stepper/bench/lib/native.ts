/**
 * Loads the native engine (src/native/index.ts) if it exists.
 *
 * The import is dynamic with a computed specifier so that this benchmark
 * type-checks and runs whether or not the native engine has landed; the
 * engine's shape is checked at run time against `NativeEngineApi`, the
 * contract the CLI uses too (src/cli.ts `makeEngine`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CompiledModule, Limits, RunResult, Value } from "../../src/index.ts";

/** What the benchmark needs from a native instance: the interpreter's `invoke`. */
export interface NativeInstanceLike {
  invoke(name: string, args: Value[]): RunResult;
  /** Which variant produced the results ("fast", "precise" or "interpreter" fallback), if the engine tells. */
  readonly engine?: string;
}

/** What the benchmark needs from the module: `NativeInstance.create(cm, { limits })`. */
export interface NativeEngineApi {
  create(cm: CompiledModule, opts: { limits?: Partial<Limits> }): NativeInstanceLike | Promise<NativeInstanceLike>;
}

export type NativeLoad =
  | { available: true; api: NativeEngineApi }
  /** `broken` = the file exists but could not be used (an error, not just "not written yet"). */
  | { available: false; broken: boolean; reason: string };

const NATIVE_URL = new URL("../../src/native/index.ts", import.meta.url);

export async function loadNativeEngine(): Promise<NativeLoad> {
  if (!existsSync(fileURLToPath(NATIVE_URL))) {
    return { available: false, broken: false, reason: "src/native/index.ts does not exist (native engine not written yet)" };
  }
  let mod: unknown;
  try {
    const spec: string = NATIVE_URL.href;
    mod = await import(spec);
  } catch (e) {
    return { available: false, broken: true, reason: `src/native/index.ts failed to load: ${(e as Error).message ?? String(e)}` };
  }
  const ni = (mod as { NativeInstance?: unknown }).NativeInstance;
  if (ni === undefined || ni === null || typeof (ni as { create?: unknown }).create !== "function") {
    return { available: false, broken: true, reason: "src/native/index.ts does not export NativeInstance with a static create(cm, opts)" };
  }
  return { available: true, api: ni as NativeEngineApi };
}
