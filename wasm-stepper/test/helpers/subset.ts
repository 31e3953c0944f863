/**
 * Checks that a corpus module stays inside the stepper's subset as far as the
 * corpus needs: no f32/f64 anywhere (types, locals, instructions), function
 * imports only from "task", no SIMD. Uses wabt's disassembly (independent of
 * the stepper's decoder).
 */
import { wasmToText } from "./wat.ts";
import { readBinInfo } from "./wasm-binary.ts";

const HOST = new Set(["input_size", "input_read", "output_write"]);

export async function checkSubset(bytes: Uint8Array): Promise<string[]> {
  const problems: string[] = [];
  const text = await wasmToText(bytes);
  const floats = text.match(/\bf(32|64)\b[.\w]*/g);
  if (floats) problems.push(`float types or instructions: ${[...new Set(floats)].slice(0, 5).join(", ")}`);
  if (/\bv128\b/.test(text)) problems.push("SIMD");
  for (const imp of readBinInfo(bytes).funcImports) {
    if (imp.module !== "task" || !HOST.has(imp.name)) problems.push(`import ${imp.module}.${imp.name}`);
  }
  return problems;
}
