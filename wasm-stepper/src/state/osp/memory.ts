/**
 * Loads, stores, memory.size and memory.grow. Twin of OneStepProverMemory.sol.
 */
import * as Op from "../../ir/opcodes.ts";
import { ProofError } from "../errors.ts";
import { MASK32, StepState } from "./step-state.ts";
import type { TrapCode } from "../../types.ts";

/** Reads `size` bytes little-endian at `ea` (within memory: checked by the caller). */
export function loadBytes(m: StepState, ea: number, size: number): bigint {
  const first = Math.floor(ea / 32);
  const last = Math.floor((ea + size - 1) / 32);
  const a = m.readMemLeaf(first).leaf;
  const b = last !== first ? m.readMemLeaf(last).leaf : a;
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) {
    const addr = ea + k;
    const byte = Math.floor(addr / 32) === first ? a[addr % 32]! : b[addr % 32]!;
    v = (v << 8n) | BigInt(byte);
  }
  return v;
}

export function storeBytes(m: StepState, ea: number, size: number, v: bigint): void {
  const first = Math.floor(ea / 32);
  const last = Math.floor((ea + size - 1) / 32);
  for (let leafIdx = first; leafIdx <= last; leafIdx++) {
    const it = m.readMemLeaf(leafIdx);
    const leaf = it.leaf.slice();
    for (let k = 0; k < size; k++) {
      const addr = ea + k;
      if (Math.floor(addr / 32) === leafIdx) leaf[addr % 32] = Number((v >> BigInt(8 * k)) & 0xffn);
    }
    m.writeMemLeaf(leafIdx, it, leaf);
  }
}


/** size, signed, result is i64, store */
const MEMORY_OPS: Record<number, [number, boolean, boolean, boolean]> = {
  [Op.I32_LOAD]: [4, false, false, false],
  [Op.I64_LOAD]: [8, false, true, false],
  [Op.I32_LOAD8_S]: [1, true, false, false],
  [Op.I32_LOAD8_U]: [1, false, false, false],
  [Op.I32_LOAD16_S]: [2, true, false, false],
  [Op.I32_LOAD16_U]: [2, false, false, false],
  [Op.I64_LOAD8_S]: [1, true, true, false],
  [Op.I64_LOAD8_U]: [1, false, true, false],
  [Op.I64_LOAD16_S]: [2, true, true, false],
  [Op.I64_LOAD16_U]: [2, false, true, false],
  [Op.I64_LOAD32_S]: [4, true, true, false],
  [Op.I64_LOAD32_U]: [4, false, true, false],
  [Op.I32_STORE]: [4, false, false, true],
  [Op.I64_STORE]: [8, false, true, true],
  [Op.I32_STORE8]: [1, false, false, true],
  [Op.I32_STORE16]: [2, false, false, true],
  [Op.I64_STORE8]: [1, false, true, true],
  [Op.I64_STORE16]: [2, false, true, true],
  [Op.I64_STORE32]: [4, false, true, true],
};



/** Executes a memory instruction; returns its trap code, if it traps. */
export function executeMemory(m: StepState, op: number, a: number): TrapCode | undefined {
  const h = m.h;
  switch (op) {
    case Op.MEMORY_SIZE:
      m.push(BigInt(h.memoryPages));
      h.pc++;
      return;
    case Op.MEMORY_GROW: {
      const delta = m.pop();
      const old = h.memoryPages;
      if (BigInt(old) + delta > BigInt(h.maxMemoryPages)) m.push(MASK32);
      else {
        h.memoryPages = old + Number(delta);
        m.push(BigInt(old));
      }
      h.pc++;
      return;
    }
  }
  const mem = MEMORY_OPS[op];
  if (mem) {
    const [size, signed, is64, store] = mem;
    let v = 0n;
    if (store) v = m.pop();
    const addr = m.pop() + BigInt(a >>> 0);
    if (addr + BigInt(size) > BigInt(m.memBytes())) return "out_of_bounds_memory";
    const ea = Number(addr);
    if (store) storeBytes(m, ea, size, v);
    else {
      let x = loadBytes(m, ea, size);
      if (signed) x = BigInt.asUintN(is64 ? 64 : 32, BigInt.asIntN(size * 8, x));
      m.push(x);
    }
    h.pc++;
    return;
  }
  throw new ProofError("UnknownOpcode", `opcode ${op} is not a memory instruction`);
}
