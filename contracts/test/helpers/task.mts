/**
 * Tasks between wasm-stepper (TypeScript) and the contracts: ModuleFields and Limits in their ABI shapes.
 */
import { DEFAULT_LIMITS, LIMIT_NAMES, MODULE_FIELD_NAMES, type Limits, type ModuleFields } from "@vwasm/wasm-stepper";
import { hex } from "./stepper.mts";
import type { Hex } from "viem";

export type AbiFields = Record<string, Hex | bigint>;

/** ModuleFields as the Solidity struct (roots as hex, counts as bigints), generically by field name. */
export function fieldsToAbi(f: ModuleFields): AbiFields {
  const out: AbiFields = {};
  for (const n of MODULE_FIELD_NAMES) {
    const v = f[n];
    out[n] = typeof v === "number" ? BigInt(v) : hex(v);
  }
  return out;
}

/** Limits (defaults filled in) as the Solidity struct. */
export function limitsToAbi(l: Partial<Limits>): Record<string, bigint> {
  const full = { ...DEFAULT_LIMITS, ...l };
  return Object.fromEntries(LIMIT_NAMES.map((n) => [n, BigInt(full[n])]));
}
