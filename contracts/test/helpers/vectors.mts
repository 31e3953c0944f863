/**
 * The one-step proof vectors of wasm-stepper/spec/vectors (format: its README.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Hex } from "viem";

export interface Vector {
  name: string;
  opcode: string;
  before: Hex;
  proof: Hex;
  after: Hex;
}

export const VECTORS_DIR = new URL("./spec/vectors/", import.meta.resolve("@vwasm/wasm-stepper/package.json"));

/** file name (without .json) -> vectors, in file order. */
export function loadVectors(): Map<string, Vector[]> {
  const out = new Map<string, Vector[]>();
  for (const f of readdirSync(VECTORS_DIR).filter((x) => x.endsWith(".json")).sort())
    out.set(f.replace(/\.json$/, ""), JSON.parse(readFileSync(new URL(f, VECTORS_DIR), "utf8")) as Vector[]);
  return out;
}

export function allVectors(): Vector[] {
  return [...loadVectors().values()].flat();
}

/** The first vector whose name starts with `prefix` (e.g. "i64.load cross-leaf"). */
export function vector(prefix: string): Vector {
  const v = allVectors().find((x) => x.name.startsWith(prefix));
  if (!v) throw new Error(`no vector named "${prefix}..." in wasm-stepper/spec/vectors`);
  return v;
}
