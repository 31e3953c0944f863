import { compileModule } from "./compile/compile.ts";
import type { CompiledModule } from "./compile/types.ts";
import { decodeModule } from "./decode/decode.ts";
import { isPlausibleWat, watToWasm } from "./decode/wat.ts";
import { StepperError } from "./errors.ts";
import { MAX_MODULE_BYTES } from "./task-limits.ts";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** True if `bytes` start with the Wasm binary magic number. */
export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

function checkModuleSize(n: number): void {
  if (n > MAX_MODULE_BYTES) throw new StepperError("limit", `the module is ${n} bytes, larger than the ${MAX_MODULE_BYTES} accepted`);
}

/** Decodes, validates and compiles a Wasm binary. Throws StepperError subclasses. */
export function compileWasm(bytes: Uint8Array): CompiledModule {
  checkModuleSize(bytes.length);
  return compileModule(decodeModule(bytes));
}

/**
 * Loads a module from Wasm binary bytes or WAT text: a string, or bytes that
 * can be WAT text (see isPlausibleWat) and are not named `*.wasm`. Any other
 * bytes are decoded as a binary, so a file without the magic number is
 * `malformed: bad magic` at once (and an empty one `unexpected end`).
 *
 * @example
 * const cm = await loadModule(`(module (func (export "add") (param i32 i32) (result i32)
 *   local.get 0 local.get 1 i32.add))`);
 * Machine.instantiate(cm).invoke("add", [{ type: "i32", value: 2 }, { type: "i32", value: 3 }]);
 */
export async function loadModule(src: Uint8Array | string, filename = "module.wat"): Promise<CompiledModule> {
  checkModuleSize(src.length);
  if (typeof src === "string") return compileWasm(await watToWasm(src, filename));
  if (isWasmBinary(src) || /\.wasm$/i.test(filename) || !isPlausibleWat(src)) return compileWasm(src);
  return compileWasm(await watToWasm(new TextDecoder().decode(src), filename));
}
