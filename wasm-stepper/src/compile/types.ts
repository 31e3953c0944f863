import type { FuncType, Module } from "../module.ts";

/** Per-function facts the interpreter, the native engine and the prover need. */
export interface FuncInfo {
  /** Function index (imports included). */
  index: number;
  /** Type of the function. */
  type: FuncType;
  /** Host import name ("input_size" | "input_read" | "output_write") for imports; undefined otherwise. */
  host?: "input_size" | "input_read" | "output_write";
  /** IR pc of the first instruction (defined functions only; -1 for imports). */
  entry: number;
  nparams: number;
  /** Params + declared locals. */
  nlocals: number;
  /** Largest operand stack height (in slots, above the locals) reached in the body. */
  maxHeight: number;
  /**
   * The function's type id: the index of the first type in the type section equal to its type
   * (spec/STATE.md section 1), what call_indirect compares. Computed once, in compileModule.
   */
  typeId: number;
}

/**
 * A validated module translated to IR (spec/EXECUTION.md section 3).
 * `code` holds 4 words per instruction: [op, a, b, c].
 */
export interface CompiledModule {
  module: Module;
  code: Int32Array;
  /** Number of IR instructions (code.length / 4). */
  length: number;
  funcs: FuncInfo[];
  /** For each type index: its type id (the first equal type's index). */
  typeIds: number[];
  /** For each IR pc: byte offset of the Wasm instruction it came from (-1 for bootstrap code). */
  srcOffset: Int32Array;
  /**
   * For each IR pc: the operand stack height (slots above the frame's locals)
   * BEFORE the instruction executes. Bootstrap code: height in the bottom frame.
   */
  height: Int32Array;
  /**
   * Byte offset of every Wasm `call`/`call_indirect` instruction -> operand stack
   * height before it (arguments included). The native engine needs these to
   * mirror the value-stack limit check.
   */
  callSiteHeight: Map<number, number>;
  /** pc of the task bootstrap (`call start`?, `call run`, `finish`), or -1 if no `run` export. */
  taskBootstrap: number;
  /** Export name -> pc of its bootstrap (`call f`, `finish`). Function exports only. */
  exportBootstrap: Map<string, number>;
  /** pc of the start function's bootstrap (`call start`, `finish`), or -1. */
  startBootstrap: number;
}
