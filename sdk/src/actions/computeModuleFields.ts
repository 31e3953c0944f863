import { bytesToHex, type Hex } from "viem";
import { InvalidParameterError } from "../errors.js";
import type { ModuleFields } from "../types.js";

const STEPPER: string = "@vwasm/wasm-stepper";

export type ComputeModuleFieldsErrorType = InvalidParameterError;

/**
 * Converts the stepper's `moduleFields(cm)` object (roots as 32-byte arrays, counts as numbers) to
 * the ABI's ModuleFields (hex roots, bigint counts), field by field whatever the field list is.
 */
export function toModuleFields(fields: object): ModuleFields {
  const out: Record<string, Hex | bigint> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Uint8Array) out[k] = bytesToHex(v);
    else if (typeof v === "number" || typeof v === "bigint") out[k] = BigInt(v);
    else throw new InvalidParameterError(`module field ${k} is neither bytes nor a number`);
  }
  return out as unknown as ModuleFields;
}

/**
 * The module's fields, computed from its Wasm bytes with @vwasm/wasm-stepper (decode, validate,
 * compile, commit). Loaded on demand: dapps that only post tasks of registered modules never load
 * the stepper. A module outside the deterministic subset throws InvalidParameterError naming why.
 */
export async function computeModuleFields(wasm: Uint8Array): Promise<ModuleFields> {
  // Imported by a computed name: the stepper is TypeScript run by tsx (or a bundler), and only this
  // function needs it, so the SDK's built JS neither bundles nor type-checks through it.
  const stepper = (await import(STEPPER)) as {
    compileWasm(b: Uint8Array): unknown;
    moduleFields(cm: unknown): object;
  };
  let cm: unknown;
  try {
    cm = stepper.compileWasm(wasm);
  } catch (e) {
    throw new InvalidParameterError(`the module does not load: ${(e as Error).message}`, { cause: e });
  }
  return toModuleFields(stepper.moduleFields(cm));
}
