export { loadModule, compileWasm, isWasmBinary } from "./load.ts";
export { compileModule } from "./compile/compile.ts";
export type { CompiledModule, FuncInfo } from "./compile/types.ts";
export { decodeModule } from "./decode/decode.ts";
export { watToWasm } from "./decode/wat.ts";
export { Machine, PAGE_SIZE, LEAF_SIZE, type MachineOptions, type MachineSnapshot } from "./machine.ts";
export * from "./errors.ts";
export * from "./types.ts";
export type { Module } from "./module.ts";
