/**
 * Plain V8: the benchmark's baseline. The module's bytes run on V8's own
 * WebAssembly, uninstrumented, through `new WebAssembly.Instance(new
 * WebAssembly.Module(bytes), imports)`.
 *
 * The project's TypeScript setup (lib ES2022, Node types) has no WebAssembly
 * declarations; this is the small part of the JS API the benchmark uses.
 */

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmJsApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}
const WA = (globalThis as unknown as { WebAssembly: WasmJsApi }).WebAssembly;

/** Thrown by the stub host imports: the benchmark entry points never call the host. */
function noHost(name: string): () => never {
  return () => {
    throw new Error(`bench: the workload called task.${name}, which the plain-V8 baseline does not provide`);
  };
}

/**
 * Instantiates `bytes` on plain V8 and returns export `name` as a function of
 * one i32 returning an i32 (as a signed number).
 */
export function plainV8Export(bytes: Uint8Array, name: string): (arg: number) => number {
  const instance = new WA.Instance(new WA.Module(bytes), {
    task: { input_size: noHost("input_size"), input_read: noHost("input_read"), output_write: noHost("output_write") },
  });
  const f = instance.exports[name];
  if (typeof f !== "function") throw new Error(`bench: the module has no exported function "${name}"`);
  const fn = f as (arg: number) => unknown;
  return (arg: number) => Number(fn(arg)) | 0;
}
