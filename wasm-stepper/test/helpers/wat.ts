/**
 * WAT -> Wasm for tests, through wabt directly (independent of the stepper's
 * own WAT front end, so both engines under test get identical bytes).
 */
import wabtInit from "wabt";

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

const FEATURES = {
  mutable_globals: true,
  sign_extension: true,
  multi_value: true,
  bulk_memory: true,
};

export async function wat(text: string, filename = "test.wat"): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat(filename, text, FEATURES);
  try {
    mod.resolveNames();
    mod.validate();
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Wasm -> WAT text (for inspection and subset checks). */
export async function wasmToText(bytes: Uint8Array): Promise<string> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.readWasm(bytes, { readDebugNames: false, ...FEATURES });
  try {
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}
