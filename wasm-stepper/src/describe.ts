/**
 * Names the instruction at an IR pc for people: its function (name-section
 * name, else an export name, else `func[i]`), the byte offset of the Wasm
 * instruction in the module and inside the function's body, and the IR
 * opcode. Used by the daemons to say which instruction a dispute came down to.
 *
 * @example
 * describeInstruction(cm, pc).text // "i32.add in sha256.compress (func 7) at module offset 0x1a3, body offset +0x41"
 */
import type { CompiledModule } from "./compile/types.ts";
import { OPCODE_NAMES } from "./ir/opcodes.ts";

export interface InstructionInfo {
  pc: number;
  opcode: string;
  /** Function index (imports included), or -1 for the task bootstrap code. */
  func: number;
  funcName: string;
  /** Byte offset of the Wasm instruction in the module (-1 for bootstrap code). */
  moduleOffset: number;
  /** Byte offset inside the function's body (-1 for bootstrap code). */
  bodyOffset: number;
  text: string;
}

/** The function a pc belongs to: the defined function with the largest entry <= pc. */
function funcAt(cm: CompiledModule, pc: number): number {
  let best = -1;
  let bestEntry = -1;
  for (const f of cm.funcs) if (f.entry >= 0 && f.entry <= pc && f.entry > bestEntry) [best, bestEntry] = [f.index, f.entry];
  return best;
}

export function describeInstruction(cm: CompiledModule, pc: number): InstructionInfo {
  const m = cm.module;
  const opcode = pc >= 0 && pc < cm.length ? (OPCODE_NAMES[cm.code[pc * 4]!] ?? `op ${cm.code[pc * 4]}`) : "(pc out of range)";
  const moduleOffset = pc >= 0 && pc < cm.length ? cm.srcOffset[pc]! : -1;
  if (moduleOffset < 0) return { pc, opcode, func: -1, funcName: "(task bootstrap)", moduleOffset: -1, bodyOffset: -1, text: `${opcode} in the task bootstrap (pc ${pc})` };
  const func = funcAt(cm, pc);
  const exported = m.exports.find((e) => e.kind === "func" && e.index === func)?.name;
  const funcName = m.funcNames.get(func) ?? exported ?? `func[${func}]`;
  const body = m.bodies[func - m.imports.length];
  const bodyOffset = body ? moduleOffset - body.codeStart : -1;
  const text = `${opcode} in ${funcName} (func ${func}) at module offset 0x${moduleOffset.toString(16)}, body offset +0x${bodyOffset.toString(16)} (pc ${pc})`;
  return { pc, opcode, func, funcName, moduleOffset, bodyOffset, text };
}

/** The pc of a state from its proof or header words (spec/STATE.md section 4: the control word follows the version word). */
export function pcOfHeaderWords(words: Uint8Array): number {
  const dv = new DataView(words.buffer, words.byteOffset, words.length);
  // control = u8(status) u8(trap) u32(nlocals) u32(pc) ...
  return dv.getUint32(32 + 6);
}
