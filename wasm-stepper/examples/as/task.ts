// Host API of the wasm-stepper machine (import module "task"), shared by the
// AssemblyScript corpus programs.

@external("task", "input_size")
export declare function input_size(): u32;

@external("task", "input_read")
export declare function input_read(dst: usize, offset: u32, len: u32): void;

@external("task", "output_write")
export declare function output_write(src: usize, len: u32): void;

/** Reads the whole input into a fresh heap buffer (length: input_size()). */
export function readInput(): usize {
  const n = input_size();
  const buf = heap.alloc(n + 8);
  input_read(buf, 0, n);
  return buf;
}

/** Writes a u32 as 4 little-endian bytes of output. */
export function writeU32(v: u32): void {
  const p = heap.alloc(4);
  store<u32>(p, v);
  output_write(p, 4);
}
