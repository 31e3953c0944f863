/**
 * WebAssembly text (WAT) to binary, via the `wabt` package. Used by tests,
 * examples and the CLI; the features enabled are the proposals of the subset
 * (spec/EXECUTION.md section 1). Other wabt defaults (e.g. SIMD, reference
 * types) stay on, so such modules assemble and are then rejected by
 * `decodeModule` with an UnsupportedFeatureError naming the feature.
 */
import { InvalidModuleError, MalformedModuleError } from "../errors.ts";

type WabtFactory = typeof import("wabt");
type Wabt = Awaited<ReturnType<WabtFactory>>;

const FEATURES = {
  bulk_memory: true,
  multi_value: true,
  sign_extension: true,
  mutable_globals: true,
} as const;

let wabtInstance: Promise<Wabt> | undefined;

function getWabt(): Promise<Wabt> {
  if (wabtInstance === undefined) {
    wabtInstance = import("wabt").then((m) => m.default());
    // A failed load is not cached: the next call tries again.
    wabtInstance.catch(() => (wabtInstance = undefined));
  }
  return wabtInstance;
}

function wabtMessage(e: unknown, prefix: string): string {
  const raw = e instanceof Error ? e.message : String(e);
  const msg = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  return msg.trim() || raw;
}

export interface WatOptions {
  /** Emit a name section with the text's identifiers ($names). Default false. */
  debugNames?: boolean;
}

/**
 * Assemble WAT text into a Wasm binary. Syntax errors throw
 * MalformedModuleError and validation errors InvalidModuleError, both with
 * wabt's message (file:line:col and the offending source line).
 */
export async function watToWasm(text: string, filename = "module.wat", options: WatOptions = {}): Promise<Uint8Array> {
  const wabt = await getWabt();
  let mod: ReturnType<Wabt["parseWat"]>;
  try {
    mod = wabt.parseWat(filename, text, FEATURES);
  } catch (e) {
    throw new MalformedModuleError(wabtMessage(e, "parseWat failed:"), { cause: e });
  }
  try {
    try {
      mod.resolveNames();
    } catch (e) {
      throw new MalformedModuleError(wabtMessage(e, "resolveNames failed:"), { cause: e });
    }
    try {
      mod.validate();
    } catch (e) {
      throw new InvalidModuleError(wabtMessage(e, "validate failed:"), { cause: e });
    }
    const { buffer } = mod.toBinary({ write_debug_names: options.debugNames ?? false });
    return new Uint8Array(buffer);
  } finally {
    mod.destroy();
  }
}
