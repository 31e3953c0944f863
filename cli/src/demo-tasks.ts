/**
 * The demo's tasks: real programs compiled from AssemblyScript (wasm-stepper/examples/as, sources
 * beside the .wasm) with real inputs, and the independent check of each output.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface DemoTask {
  name: string;
  file: string;
  wasm: Uint8Array;
  input: Uint8Array;
  what: string;
  /** Shows the output for a person; the check against V8 is done by the caller. */
  show(output: Uint8Array): string;
  /** An independent expectation when one exists (e.g. Node's own SHA-256). */
  expect?: (input: Uint8Array) => Uint8Array;
}

const example = (n: string) => new Uint8Array(readFileSync(require.resolve(`@vwasm/wasm-stepper/examples/as/${n}.wasm`)));
const text = (s: string) => new TextEncoder().encode(s);
const u32le = (...v: number[]) => {
  const b = new Uint8Array(4 * v.length);
  v.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x, true));
  return b;
};
const words = (o: Uint8Array) => Array.from({ length: o.length / 4 }, (_, i) => new DataView(o.buffer, o.byteOffset).getUint32(4 * i, true));

export function demoTasks(): DemoTask[] {
  const poem = text("Tyger Tyger, burning bright, In the forests of the night; What immortal hand or eye, Could frame thy fearful symmetry?\n".repeat(40));
  return [
    {
      name: "sha256",
      file: "sha256.wasm",
      wasm: example("sha256"),
      input: poem,
      what: `SHA-256 of ${poem.length} bytes of Blake`,
      show: (o) => `digest ${Buffer.from(o).toString("hex")}`,
      expect: (i) => new Uint8Array(createHash("sha256").update(i).digest()),
    },
    {
      name: "sort",
      file: "sort.wasm",
      wasm: example("sort"),
      input: u32le(20000, 42),
      what: "quicksort and mergesort of 20000 pseudo-random integers (seed 42)",
      show: (o) => {
        const [count, hash, min, max, median] = words(o);
        return `count ${count}, FNV-1a ${hash!.toString(16)}, min ${min! | 0}, max ${max! | 0}, median ${median! | 0}`;
      },
    },
    {
      name: "bigint",
      file: "bigint.wasm",
      wasm: example("bigint"),
      input: text("300"),
      what: "300! in decimal (big integers with 32-bit limbs)",
      show: (o) => {
        const s = new TextDecoder().decode(o);
        return `${s.length} digits: ${s.slice(0, 24)}...${s.slice(-12)}`;
      },
    },
    {
      name: "crc32",
      file: "crc32.wasm",
      wasm: example("crc32"),
      input: poem,
      what: `CRC-32 and Adler-32 of the same ${poem.length} bytes`,
      show: (o) => {
        const [crc, adler] = words(o);
        return `crc32 ${crc!.toString(16).padStart(8, "0")}, adler32 ${adler!.toString(16).padStart(8, "0")}`;
      },
    },
  ];
}
