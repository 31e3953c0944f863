/**
 * A Trace's snapshots on disk, so that a daemon restarted in the middle of a
 * dispute (kill -9 included) answers the next move without re-running the
 * task from step 0.
 *
 * Layout of a trace directory:
 * - `pages.bin`: the distinct 64 KiB memory pages of all snapshots, back to back
 *   (snapshots share unchanged pages, so each is written once);
 * - `meta.bin`: v8-serialized `{ version, key, stride, createMs, snapshots }`,
 *   each snapshot's pages as indices into pages.bin.
 * Both are written to temporary names and renamed, meta last: a directory
 * with a meta.bin is complete. `key` is the caller's fingerprint of what was
 * traced (module, input, limits, any fault); a different key is not loaded.
 *
 * @example
 * await saveTrace(trace, dir, key);
 * const again = loadTrace(target, dir, key); // undefined if absent or for another key
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { PAGE_SIZE } from "../machine.ts";
import type { ProveTarget } from "./prove.ts";
import type { StoredSnapshot } from "./trace-replay.ts";
import { Trace, type TraceOptions } from "./trace.ts";

const VERSION = 1;

interface Meta {
  version: number;
  key: string;
  stride: number;
  createMs: number;
  snapshots: (Omit<StoredSnapshot, "pages"> & { pages: number[] })[];
}

/** Writes the trace's snapshots under `dir` (created if needed). */
export function saveTrace(trace: Trace, dir: string, key: string): void {
  mkdirSync(dir, { recursive: true });
  const index = new Map<Uint8Array, number>();
  const pages: Uint8Array[] = [];
  const snapshots = trace.storedSnapshots.map((s) => ({
    ...s,
    pages: s.pages.map((p) => {
      let i = index.get(p);
      if (i === undefined) {
        index.set(p, (i = pages.length));
        pages.push(p);
      }
      return i;
    }),
  }));
  const blob = Buffer.alloc(pages.length * PAGE_SIZE);
  pages.forEach((p, i) => blob.set(p, i * PAGE_SIZE));
  const meta: Meta = { version: VERSION, key, stride: trace.stride, createMs: trace.createMs, snapshots };
  writeFileSync(join(dir, "pages.bin.tmp"), blob);
  renameSync(join(dir, "pages.bin.tmp"), join(dir, "pages.bin"));
  writeFileSync(join(dir, "meta.bin.tmp"), serialize(meta));
  renameSync(join(dir, "meta.bin.tmp"), join(dir, "meta.bin"));
}

/** The trace saved under `dir` for `key`, or undefined when there is none (or it is for another key). */
export function loadTrace(target: ProveTarget, dir: string, key: string, opts: TraceOptions = {}): Trace | undefined {
  const metaPath = join(dir, "meta.bin");
  if (!existsSync(metaPath)) return undefined;
  const meta = deserialize(readFileSync(metaPath)) as Meta;
  if (meta.version !== VERSION || meta.key !== key) return undefined;
  const blob = readFileSync(join(dir, "pages.bin"));
  const pages: Uint8Array[] = [];
  for (let off = 0; off < blob.length; off += PAGE_SIZE) {
    const p = new Uint8Array(new SharedArrayBuffer(PAGE_SIZE));
    p.set(blob.subarray(off, off + PAGE_SIZE));
    pages.push(p);
  }
  const snapshots: StoredSnapshot[] = meta.snapshots.map((s) => ({ ...s, pages: s.pages.map((i) => pages[i]!) }));
  return Trace.fromSnapshots(target, snapshots, { ...opts, stride: meta.stride, createMs: meta.createMs });
}

/**
 * The trace saved under `dir` for `key`, or a new one (Trace.create with `opts`) saved there before
 * it is returned: what a daemon calls for each claim it disputes or defends.
 */
export async function openTrace(target: ProveTarget, dir: string, key: string, opts: TraceOptions = {}): Promise<{ trace: Trace; loaded: boolean }> {
  const saved = loadTrace(target, dir, key, opts);
  if (saved) return { trace: saved, loaded: true };
  const trace = await Trace.create(target, opts);
  saveTrace(trace, dir, key);
  return { trace, loaded: false };
}
