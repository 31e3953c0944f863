/**
 * WebAssembly text (WAT) to binary, via the `wabt` package. Used by tests,
 * examples and the CLI. Every proposal wabt can assemble that the decoder
 * recognises is enabled (threads, tail calls, exceptions, multi-memory,
 * memory64, SIMD, reference types), so a module using one assembles and is
 * then rejected by `decodeModule` with an UnsupportedFeatureError naming the
 * feature, as its binary would be.
 *
 * Hostile text: wabt's parser recurses per nesting level on a fixed stack and
 * hangs or corrupts its memory past about 150 levels, so the text is scanned
 * first (linear time, constant memory) and nesting deeper than
 * MAX_WAT_NESTING is a typed `limit` error. The binary format has no such
 * limit. Text larger than MAX_WAT_BYTES is a `limit` error too.
 */
import { InvalidModuleError, MalformedModuleError, StepperError } from "../errors.ts";

type WabtFactory = typeof import("wabt");
type Wabt = Awaited<ReturnType<WabtFactory>>;

const FEATURES = {
  bulk_memory: true,
  multi_value: true,
  sign_extension: true,
  mutable_globals: true,
  // Assembled so that the decoder names the feature (spec/EXECUTION.md section 1).
  threads: true,
  tail_call: true,
  exceptions: true,
  multi_memory: true,
  memory64: true,
  simd: true,
  reference_types: true,
  sat_float_to_int: true,
} as const;

/** Deepest nesting of parentheses plus unfolded `block`/`loop`/`if`/`try` accepted in WAT text. */
export const MAX_WAT_NESTING = 100;
/** Largest WAT text accepted (wabt's memory grows with the text; binaries are the format for large modules). */
export const MAX_WAT_BYTES = 4 << 20;

const OPENERS = new Set(["block", "loop", "if", "try", "try_table"]);

/**
 * The nesting depth of WAT text (parentheses plus unfolded structured
 * instructions, which wabt's parser both nests on its stack), with the line
 * and column where it first exceeds `limit`. Skips comments and strings.
 */
export function watNesting(text: string, limit = MAX_WAT_NESTING): { depth: number; line?: number; col?: number } {
  let paren = 0;
  let flat = 0;
  let max = 0;
  let prev = "";
  const n = text.length;
  let i = 0;
  const over = (): { depth: number; line: number; col: number } => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    return { depth: max, line, col: i - before.lastIndexOf("\n") };
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x28 /* ( */) {
      if (text.charCodeAt(i + 1) === 0x3b /* ; */) {
        // block comment, nestable: (; ... ;)
        let d = 1;
        i += 2;
        while (i < n && d > 0) {
          if (text.charCodeAt(i) === 0x28 && text.charCodeAt(i + 1) === 0x3b) (d++, (i += 2));
          else if (text.charCodeAt(i) === 0x3b && text.charCodeAt(i + 1) === 0x29) (d--, (i += 2));
          else i++;
        }
        continue;
      }
      paren++;
      prev = "(";
    } else if (c === 0x29 /* ) */) {
      if (paren > 0) paren--;
      prev = ")";
    } else if (c === 0x3b /* ; */ && text.charCodeAt(i + 1) === 0x3b) {
      while (i < n && text.charCodeAt(i) !== 0x0a) i++;
      continue;
    } else if (c === 0x22 /* " */) {
      i++;
      while (i < n && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      prev = '"';
    } else if (c > 0x20) {
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d <= 0x20 || d === 0x28 || d === 0x29 || d === 0x22 || (d === 0x3b && text.charCodeAt(j + 1) === 0x3b)) break;
        j++;
      }
      const tok = text.slice(i, j);
      if (prev !== "(" && OPENERS.has(tok)) flat++;
      else if (tok === "end" && flat > 0) flat--;
      prev = tok;
      i = j;
      if (paren + flat > max) {
        max = paren + flat;
        if (max > limit) return over();
      }
      continue;
    }
    i++;
    if (paren + flat > max) {
      max = paren + flat;
      if (max > limit) return over();
    }
  }
  return { depth: max };
}

/**
 * True if `bytes` can be WAT text: valid UTF-8 without NUL bytes whose first
 * token (after whitespace, a byte order mark and comments) is `(`.
 */
export function isPlausibleWat(bytes: Uint8Array): boolean {
  if (bytes.indexOf(0) !== -1) return false;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
  } catch {
    // A cut in the middle of a UTF-8 sequence at the sample's end is not an error of the text.
    if (bytes.length <= 1 << 16) return false;
    text = new TextDecoder("utf-8").decode(bytes.subarray(0, 1 << 16));
  }
  return /^\uFEFF?(?:\s|;;[^\n]*(?:\n|$)|\(;[\s\S]*?;\))*\(/.test(text);
}

/** wabt's messages start each diagnostic with the file name it was given (sometimes with stray bytes after it): show the caller's. */
const WABT_NAME = "wat";
function cleanNames(msg: string, filename: string): string {
  return msg.replace(/^wat[^:\n]{0,16}:(?=\d+:\d+: )/gm, `${filename}:`);
}

let wabtInstance: Promise<Wabt> | undefined;

function getWabt(): Promise<Wabt> {
  if (wabtInstance === undefined) {
    wabtInstance = import("wabt").then((m) => m.default());
    // A failed load is not cached: the next call tries again.
    wabtInstance.catch(() => (wabtInstance = undefined));
  }
  return wabtInstance;
}

function wabtMessage(e: unknown, prefix: string, filename: string): string {
  const raw = e instanceof Error ? e.message : String(e);
  const msg = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  return cleanNames(msg.trim() || raw, filename);
}

export interface WatOptions {
  /** Emit a name section with the text's identifiers ($names). Default false. */
  debugNames?: boolean;
}

/**
 * Assemble WAT text into a Wasm binary. Syntax errors throw
 * MalformedModuleError and validation errors InvalidModuleError, both with
 * wabt's message (file:line:col and the offending source line).
 */
export async function watToWasm(text: string, filename = "module.wat", options: WatOptions = {}): Promise<Uint8Array> {
  if (text.length > MAX_WAT_BYTES)
    throw new StepperError("limit", `${filename}: WAT text of ${text.length} characters is larger than the ${MAX_WAT_BYTES} accepted; use the binary format`);
  const nest = watNesting(text);
  if (nest.line !== undefined)
    throw new StepperError(
      "limit",
      `${filename}:${nest.line}:${nest.col}: WAT nesting deeper than ${MAX_WAT_NESTING} levels (parentheses and block/loop/if); use the binary format for deeper nesting`,
    );
  const wabt = await getWabt();
  let mod: ReturnType<Wabt["parseWat"]>;
  try {
    mod = wabt.parseWat(WABT_NAME, text, FEATURES);
  } catch (e) {
    throw new MalformedModuleError(wabtMessage(e, "parseWat failed:", filename), { cause: e });
  }
  try {
    try {
      mod.resolveNames();
    } catch (e) {
      throw new MalformedModuleError(wabtMessage(e, "resolveNames failed:", filename), { cause: e });
    }
    try {
      // wabt's typings omit validate's features argument; without it shared memories are invalid text.
      (mod.validate as (features?: typeof FEATURES) => void)(FEATURES);
    } catch (e) {
      throw new InvalidModuleError(wabtMessage(e, "validate failed:", filename), { cause: e });
    }
    const { buffer } = mod.toBinary({ write_debug_names: options.debugNames ?? false });
    return new Uint8Array(buffer);
  } finally {
    mod.destroy();
  }
}
