/**
 * The part of the WebAssembly JS API the native engine uses. The project's
 * TypeScript setup (lib ES2022, Node types) declares no `WebAssembly`
 * namespace, so it is typed here, narrowly.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmGlobal {
  value: number | bigint;
}

export interface WasmTable {
  readonly length: number;
  get(index: number): unknown;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmModule = object;

export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmJsApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
  CompileError: new (message?: string) => Error;
  validate(bytes: Uint8Array): boolean;
}

export const WA = (globalThis as unknown as { WebAssembly: WasmJsApi }).WebAssembly;
