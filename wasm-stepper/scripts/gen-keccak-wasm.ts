/**
 * Generates the keccak-f[1600] WebAssembly module used for batched keccak-256:
 *   src/hash/keccak-f1600.wat      the module's text (readable source, generated here)
 *   src/hash/keccak-f1600-scalar.wat  the same without SIMD (the fallback)
 *   src/hash/keccak-wasm.ts        its compiled bytes as base64 plus the memory layout
 * so that the runtime needs no compiler. Run: `npx tsx scripts/gen-keccak-wasm.ts`;
 * `--check` fails if either file differs from what this script generates.
 *
 * Why a module of our own: hash-wasm hashes one message per call, and about 40% of a
 * 64-byte hash is the JS/Wasm crossing. A Merkle layer is thousands of 64-byte
 * messages, so hashing all of them in one call removes that cost. (Its permutation also
 * measured faster than hash-wasm's, so single hashes use it too.)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// Rounds per loop iteration of the permutation. Measured on V8 (Node 20): 1 round per
// iteration with lane complementing was fastest (about 350 ns per 64-byte hash, against ~385
// for 2, ~450 for 4 and ~600 for a fully unrolled straight line, which spills more). Override
// with KECCAK_UNROLL / KECCAK_COMPLEMENT=0 to re-measure.
const UNROLL = Number(process.env.KECCAK_UNROLL ?? 1);
if (![1, 2, 3, 4, 6, 8, 12, 24].includes(UNROLL)) throw new Error(`KECCAK_UNROLL must divide 24, got ${UNROLL}`);

// ---- memory layout (bytes); mirrored into the generated .ts ----
const RC_PTR = 0; // 24 round constants, 192 bytes
const STATE_PTR = 256; // 25 lanes of the streaming state, 200 bytes
const PAD_PTR = 512; // one padded final block, 136 bytes
const IN_PTR = 1024; // batch input / one-shot message area
const IN_SIZE = 128 * 1024; // 2048 pairs of 64 bytes
const OUT_PTR = IN_PTR + IN_SIZE; // batch output area
const OUT_SIZE = 64 * 1024; // 2048 digests
// A region the host lays out itself, to hash buffers in place (no copy across the boundary):
// the state commitment keeps its per-step hash inputs there.
const ARENA_PTR = OUT_PTR + OUT_SIZE;
const ARENA_SIZE = 1024 * 1024;
const PAGES = Math.ceil((ARENA_PTR + ARENA_SIZE) / 65536);
const RATE = 136; // keccak-256: 1088-bit rate

const RC: bigint[] = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
// Rotation offsets r[x][y] for lane (x, y).
const ROT = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

// Lane complementing ("Keccak implementation overview", section 2.2): with lanes
// 1, 2, 8, 12, 17, 20 kept complemented between rounds, chi needs one NOT per row instead of
// five. CHI[y][x] gives lane x of row y as b[x] ^ (b[x+1] op b[x+2]), with the marked inputs
// complemented. The state outside the permutation is always in normal form.
const COMPLEMENT = (process.env.KECCAK_COMPLEMENT ?? "1") === "1";
const COMPLEMENTED_LANES = [1, 2, 8, 12, 17, 20];
type Chi = { op: "or" | "and"; ns?: boolean; n1?: boolean; n2?: boolean };
const CHI: Chi[][] = [
  [{ op: "or" }, { op: "or", n1: true }, { op: "and" }, { op: "or" }, { op: "and" }],
  [{ op: "or" }, { op: "and" }, { op: "or", n2: true }, { op: "or" }, { op: "and" }],
  [{ op: "or" }, { op: "and" }, { op: "and", n1: true }, { op: "or", ns: true }, { op: "and" }],
  [{ op: "and" }, { op: "or" }, { op: "or", n1: true }, { op: "and", ns: true }, { op: "or" }],
  [{ op: "and", n1: true }, { op: "or", ns: true }, { op: "and" }, { op: "or" }, { op: "and" }],
];

const i64c = (v: bigint) => `(i64.const ${BigInt.asIntN(64, v)})`;
const a = (i: number) => `$a${i}`;
const get = (n: string) => `(local.get ${n})`;

/** One round on locals $a0..$a24 (lane x + 5y), via $b*, $c*, $d*. `rc` is an i64 expression. */
function round(rc: string): string {
  const L: string[] = [];
  for (let x = 0; x < 5; x++) {
    L.push(
      `(local.set $c${x} (i64.xor (i64.xor (i64.xor (i64.xor ${get(a(x))} ${get(a(x + 5))}) ${get(a(x + 10))}) ${get(a(x + 15))}) ${get(a(x + 20))}))`,
    );
  }
  for (let x = 0; x < 5; x++) {
    L.push(`(local.set $d${x} (i64.xor ${get(`$c${(x + 4) % 5}`)} (i64.rotl ${get(`$c${(x + 1) % 5}`)} (i64.const 1))))`);
  }
  // rho and pi: B[y][2x+3y] = rotl(A[x][y] ^ D[x], r[x][y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      const v = `(i64.xor ${get(a(x + 5 * y))} ${get(`$d${x}`)})`;
      const r = ROT[x]![y]!;
      L.push(`(local.set $b${dst} ${r === 0 ? v : `(i64.rotl ${v} (i64.const ${r}))`})`);
    }
  }
  // chi (and iota on lane 0)
  const not = (e: string) => `(i64.xor ${e} (i64.const -1))`;
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = x + 5 * y;
      const b0 = get(`$b${i}`);
      const b1 = get(`$b${((x + 1) % 5) + 5 * y}`);
      const b2 = get(`$b${((x + 2) % 5) + 5 * y}`);
      let v: string;
      if (COMPLEMENT) {
        const c = CHI[y]![x]!;
        const t = `(i64.${c.op} ${c.n1 ? not(b1) : b1} ${c.n2 ? not(b2) : b2})`;
        v = `(i64.xor ${c.ns ? not(b0) : b0} ${t})`;
      } else {
        v = `(i64.xor ${b0} (i64.and ${not(b1)} ${b2}))`;
      }
      if (i === 0) v = `(i64.xor ${v} ${rc})`;
      L.push(`(local.set ${a(i)} ${v})`);
    }
  }
  return L.join("\n");
}

/** keccak-f[1600] on the lane locals, in and out in normal form; uses local $r (i32). */
function permutation(): string {
  const flip = COMPLEMENT
    ? COMPLEMENTED_LANES.map((i) => `(local.set $a${i} (i64.xor (local.get $a${i}) (i64.const -1)))`).join("\n")
    : "";
  return `${flip}\n${rounds()}\n${flip}`;
}

function rounds(): string {
  if (UNROLL === 24) return RC.map((c) => round(i64c(c))).join("\n");
  const body: string[] = [];
  for (let k = 0; k < UNROLL; k++) body.push(round(`(i64.load offset=${RC_PTR + 8 * k} (local.get $r))`));
  return `(local.set $r (i32.const 0))
(loop $rounds
${body.join("\n")}
(local.set $r (i32.add (local.get $r) (i32.const ${8 * UNROLL})))
(br_if $rounds (i32.ne (local.get $r) (i32.const ${8 * 24}))))`;
}

// ---- the two-way SIMD permutation (batches) ----
// A batch of 64-byte messages (a Merkle level) is hashed two at a time: each v128 local holds
// lane i of two independent states (i64x2), so one instruction stream runs two permutations.
// Rotations cost three instructions (no i64x2 rotate), but chi is two (v128.andnot), so no lane
// complementing; measured on V8 (Node 20, x86-64): about 1.7-2.5x the scalar module's hashes
// per second on 2048-message batches (bench/merkle-bench.ts prints the ratio).
const vrotl = (v: string, r: number) => (r === 0 ? v : `(v128.or (i64x2.shl ${v} (i32.const ${r})) (i64x2.shr_u ${v} (i32.const ${64 - r})))`);

/** One round on v128 locals $a0..$a24; `rc` is a v128 expression (the round constant in both halves). */
function roundX2(rc: string): string {
  const L: string[] = [];
  for (let x = 0; x < 5; x++) {
    L.push(`(local.set $c${x} (v128.xor (v128.xor (v128.xor (v128.xor ${get(a(x))} ${get(a(x + 5))}) ${get(a(x + 10))}) ${get(a(x + 15))}) ${get(a(x + 20))}))`);
  }
  for (let x = 0; x < 5; x++) L.push(`(local.set $d${x} (v128.xor ${get(`$c${(x + 4) % 5}`)} ${vrotl(get(`$c${(x + 1) % 5}`), 1)}))`);
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      L.push(`(local.set $b${dst} ${vrotl(`(v128.xor ${get(a(x + 5 * y))} ${get(`$d${x}`)})`, ROT[x]![y]!)})`);
    }
  }
  // chi: b0 ^ (~b1 & b2) = b0 ^ andnot(b2, b1); iota on lane 0
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = x + 5 * y;
      let v = `(v128.xor ${get(`$b${i}`)} (v128.andnot ${get(`$b${((x + 2) % 5) + 5 * y}`)} ${get(`$b${((x + 1) % 5) + 5 * y}`)}))`;
      if (i === 0) v = `(v128.xor ${v} ${rc})`;
      L.push(`(local.set ${a(i)} ${v})`);
    }
  }
  return L.join("\n");
}

const laneLocalsX2 = () => {
  const names: string[] = [];
  for (let i = 0; i < 25; i++) names.push(`$a${i}`, `$b${i}`);
  for (let i = 0; i < 5; i++) names.push(`$c${i}`, `$d${i}`);
  return names.map((n) => `(local ${n} v128)`).join(" ") + " (local $r i32)";
};

/** $pairs64: $n pairs of 64-byte messages at $in (message 2k at 128k, 2k+1 at 128k+64) -> 2$n digests at $out. */
const pairsFunc = `;; $n PAIRS of consecutive 64-byte messages at $in -> 2$n digests at $out, two permutations
;; at a time: v128 local i holds lane i of the even message (low half) and the odd one (high half).
(func $pairs64 (param $in i32) (param $n i32) (param $out i32)
${laneLocalsX2()}
(block $done
(loop $next
(br_if $done (i32.eqz (local.get $n)))
${Array.from({ length: 8 }, (_, i) => `(local.set $a${i} (v128.load64_lane offset=${64 + 8 * i} 1 (local.get $in) (v128.load64_zero offset=${8 * i} (local.get $in))))`).join("\n")}
(local.set $a8 (i64x2.splat (i64.const 1)))
${Array.from({ length: 16 }, (_, k) => k + 9).map((i) => `(local.set $a${i} ${i === 16 ? `(i64x2.splat ${i64c(0x8000000000000000n)})` : "(v128.const i64x2 0 0)"})`).join("\n")}
(local.set $r (i32.const 0))
(loop $rounds
${roundX2(`(v128.load64_splat offset=${RC_PTR} (local.get $r))`)}
(local.set $r (i32.add (local.get $r) (i32.const 8)))
(br_if $rounds (i32.ne (local.get $r) (i32.const ${8 * 24}))))
${[0, 1, 2, 3].map((i) => `(v128.store64_lane offset=${8 * i} 0 (local.get $out) (local.get $a${i}))\n(v128.store64_lane offset=${32 + 8 * i} 1 (local.get $out) (local.get $a${i}))`).join("\n")}
(local.set $in (i32.add (local.get $in) (i32.const 128)))
(local.set $out (i32.add (local.get $out) (i32.const 64)))
(local.set $n (i32.sub (local.get $n) (i32.const 1)))
(br $next))))
`;

const laneLocals = () => {
  const names: string[] = [];
  for (let i = 0; i < 25; i++) names.push(`$a${i}`, `$b${i}`);
  for (let i = 0; i < 5; i++) names.push(`$c${i}`, `$d${i}`);
  return names.map((n) => `(local ${n} i64)`).join(" ") + " (local $r i32)";
};

/** Lanes from the padded rate block at `ptr` (an i32 expression) + `off`, the permutation, the digest to $out. */
function paddedBlockDigest(off: number, ptr: string): string {
  return `${Array.from({ length: RATE / 8 }, (_, i) => `(local.set $a${i} (i64.load offset=${off + 8 * i} ${ptr}))`).join("\n")}
${Array.from({ length: 25 - RATE / 8 }, (_, k) => `(local.set $a${k + RATE / 8} (i64.const 0))`).join("\n")}
${permutation()}
(i64.store offset=0 (local.get $out) (local.get $a0))
(i64.store offset=8 (local.get $out) (local.get $a1))
(i64.store offset=16 (local.get $out) (local.get $a2))
(i64.store offset=24 (local.get $out) (local.get $a3))`;
}

/** Copies 32 bytes from `src` to `dst` (i32 expressions), as four i64 loads then four stores. */
function copyWord32(src: string, dst: string): string {
  const loads = [0, 1, 2, 3].map((i) => `(local.set $b${i} (i64.load offset=${8 * i} ${src}))`).join("\n");
  const stores = [0, 1, 2, 3].map((i) => `(i64.store offset=${8 * i} ${dst} (local.get $b${i}))`).join("\n");
  return `${loads}\n${stores}`;
}

const dataString = (bytes: Uint8Array) => Array.from(bytes, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
const rcBytes = new Uint8Array(192);
const rcView = new DataView(rcBytes.buffer);
RC.forEach((c, i) => rcView.setBigUint64(8 * i, c, true));

const loadState = Array.from({ length: 25 }, (_, i) => `(local.set $a${i} (i64.load offset=${STATE_PTR + 8 * i} (i32.const 0)))`).join("\n");
const storeState = Array.from({ length: 25 }, (_, i) => `(i64.store offset=${STATE_PTR + 8 * i} (i32.const 0) (local.get $a${i}))`).join("\n");

/** The module's text; `simd`: batch64 hashes pairs of messages with the two-way permutation. */
const moduleText = (simd: boolean) => `;; GENERATED by scripts/gen-keccak-wasm.ts. Do not edit.
;; keccak-256 (Ethereum's: pad byte 0x01, not SHA3's 0x06) over keccak-f[1600], lanes as i64
;; locals. Memory layout: RC ${RC_PTR}, STATE ${STATE_PTR}, PAD ${PAD_PTR}, IN ${IN_PTR} (${IN_SIZE} bytes),
;; OUT ${OUT_PTR} (${OUT_SIZE} bytes). The memory never grows, so views taken by the host stay valid.
(module
(memory (export "memory") ${PAGES} ${PAGES})
(data (i32.const ${RC_PTR}) "${dataString(rcBytes)}")

;; n consecutive 64-byte messages at $in -> n 32-byte digests at $out${simd ? " (the pairs by $pairs64, an odd last one by $one64)" : ""}.
(func $batch64 (export "batch64") (param $in i32) (param $n i32) (param $out i32)
${
  simd
    ? `(if (i32.ge_u (local.get $n) (i32.const 2))
  (then
    (call $pairs64 (local.get $in) (i32.shr_u (local.get $n) (i32.const 1)) (local.get $out))
    (local.set $in (i32.add (local.get $in) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 6))))
    (local.set $out (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 5))))
    (local.set $n (i32.and (local.get $n) (i32.const 1)))))`
    : ""
}
(call $one64 (local.get $in) (local.get $n) (local.get $out)))
${simd ? pairsFunc : ""}
;; n consecutive 64-byte messages at $in -> n 32-byte digests at $out, one permutation at a time.
;; A 64-byte message is one block: lanes 0..7 are the message, lane 8 holds the pad byte 0x01,
;; lane 16 the final 0x80 (byte 135 of the rate).
(func $one64 (param $in i32) (param $n i32) (param $out i32)
${laneLocals()}
(block $done
(loop $next
(br_if $done (i32.eqz (local.get $n)))
${Array.from({ length: 8 }, (_, i) => `(local.set $a${i} (i64.load offset=${8 * i} (local.get $in)))`).join("\n")}
(local.set $a8 (i64.const 1))
${Array.from({ length: 16 }, (_, k) => k + 9).map((i) => `(local.set $a${i} ${i === 16 ? i64c(0x8000000000000000n) : "(i64.const 0)"})`).join("\n")}
${permutation()}
(i64.store offset=0 (local.get $out) (local.get $a0))
(i64.store offset=8 (local.get $out) (local.get $a1))
(i64.store offset=16 (local.get $out) (local.get $a2))
(i64.store offset=24 (local.get $out) (local.get $a3))
(local.set $in (i32.add (local.get $in) (i32.const 64)))
(local.set $out (i32.add (local.get $out) (i32.const 32)))
(local.set $n (i32.sub (local.get $n) (i32.const 1)))
(br $next))))

;; Streaming state: reset, absorb whole blocks, finish with the tail.
(func $reset (export "reset")
(memory.fill (i32.const ${STATE_PTR}) (i32.const 0) (i32.const 200)))

;; XOR $blocks consecutive ${RATE}-byte blocks at $p into the state, permuting after each.
(func $absorb (export "absorb") (param $p i32) (param $blocks i32)
${laneLocals()}
${loadState}
(block $done
(loop $next
(br_if $done (i32.eqz (local.get $blocks)))
${Array.from({ length: RATE / 8 }, (_, i) => `(local.set $a${i} (i64.xor (local.get $a${i}) (i64.load offset=${8 * i} (local.get $p))))`).join("\n")}
${permutation()}
(local.set $p (i32.add (local.get $p) (i32.const ${RATE})))
(local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
(br $next)))
${storeState})

;; Absorb the last $len (< ${RATE}) bytes at $p with keccak padding; write the digest to $out.
(func $finish (export "finish") (param $p i32) (param $len i32) (param $out i32)
(memory.fill (i32.const ${PAD_PTR}) (i32.const 0) (i32.const ${RATE}))
(memory.copy (i32.const ${PAD_PTR}) (local.get $p) (local.get $len))
(i32.store8 (i32.add (i32.const ${PAD_PTR}) (local.get $len)) (i32.const 1))
(i32.store8 offset=${PAD_PTR + RATE - 1} (i32.const 0)
  (i32.or (i32.load8_u offset=${PAD_PTR + RATE - 1} (i32.const 0)) (i32.const 0x80)))
(call $absorb (i32.const ${PAD_PTR}) (i32.const 1))
(memory.copy (local.get $out) (i32.const ${STATE_PTR}) (i32.const 32)))

;; One message of $len bytes at $p -> digest at $out.
(func $hash (export "hash") (param $p i32) (param $len i32) (param $out i32)
(local $blocks i32)
(call $reset)
(local.set $blocks (i32.div_u (local.get $len) (i32.const ${RATE})))
(call $absorb (local.get $p) (local.get $blocks))
(call $finish
  (i32.add (local.get $p) (i32.mul (local.get $blocks) (i32.const ${RATE})))
  (i32.sub (local.get $len) (i32.mul (local.get $blocks) (i32.const ${RATE})))
  (local.get $out)))

;; One message of $len <= ${RATE - 1} bytes (a single padded block) at $p -> digest at $out, without
;; the streaming state: the state-hash preimage (135 bytes) takes this path every step.
(func (export "hash1") (param $p i32) (param $len i32) (param $out i32)
${laneLocals()}
(memory.fill (i32.const ${PAD_PTR}) (i32.const 0) (i32.const ${RATE}))
(memory.copy (i32.const ${PAD_PTR}) (local.get $p) (local.get $len))
(i32.store8 (i32.add (i32.const ${PAD_PTR}) (local.get $len)) (i32.const 1))
(i32.store8 offset=${PAD_PTR + RATE - 1} (i32.const 0)
  (i32.or (i32.load8_u offset=${PAD_PTR + RATE - 1} (i32.const 0)) (i32.const 0x80)))
${paddedBlockDigest(PAD_PTR, "(i32.const 0)")})

;; The digest of one block of ${RATE} bytes at $p that already holds its padding (the message, then
;; 0x01 ... 0x80, or 0x81 in the last byte for a ${RATE - 1}-byte message), to $out: hash1 without its
;; fill and copy (V8 calls out of the module for memory.fill and memory.copy). First the 32 bytes
;; at $a are copied to $p + $ao and those at $b to $p + $bo (a word onto itself: no copy). The
;; state hash, every step, keeps its preimage padded in place and takes this path, its operand
;; chain hash and locals root copied in from where they were computed.
(func (export "block1") (param $p i32) (param $out i32) (param $a i32) (param $ao i32) (param $b i32) (param $bo i32)
${laneLocals()}
${copyWord32("(local.get $a)", "(i32.add (local.get $p) (local.get $ao))")}
${copyWord32("(local.get $b)", "(i32.add (local.get $p) (local.get $bo))")}
${paddedBlockDigest(0, "(local.get $p)")})

;; A Merkle path update in one call: at $in the leaf (32 bytes) then $d siblings bottom-up;
;; writes the $d new ancestors of leaf $index, bottom-up, to $out (32 bytes each). Node k+1 is
;; keccak(node || sibling) when bit k of the index is 0, keccak(sibling || node) otherwise.
(func (export "path") (param $in i32) (param $index i32) (param $d i32) (param $out i32)
(local $k i32) (local $cur i32) (local $sib i32)
(local.set $cur (local.get $in))
(block $done
(loop $next
(br_if $done (i32.ge_u (local.get $k) (local.get $d)))
(local.set $sib (i32.add (local.get $in) (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 5))))
(if (i32.and (i32.shr_u (local.get $index) (local.get $k)) (i32.const 1))
  (then
    (memory.copy (i32.const ${PAD_PTR}) (local.get $sib) (i32.const 32))
    (memory.copy (i32.const ${PAD_PTR + 32}) (local.get $cur) (i32.const 32)))
  (else
    (memory.copy (i32.const ${PAD_PTR}) (local.get $cur) (i32.const 32))
    (memory.copy (i32.const ${PAD_PTR + 32}) (local.get $sib) (i32.const 32))))
(local.set $cur (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 5))))
(call $one64 (i32.const ${PAD_PTR}) (i32.const 1) (local.get $cur))
(local.set $k (i32.add (local.get $k) (i32.const 1)))
(br $next))))

;; A path update in place, in a complete tree laid out level after level from $base (level 0:
;; 2^$d nodes of 32 bytes, then level 1's 2^($d-1), ...): rehashes the $d ancestors of leaf
;; $index, each from the 64 bytes of its two children, bottom-up.
(func (export "treePath") (param $base i32) (param $index i32) (param $d i32)
(local $k i32) (local $next i32)
(block $done
(loop $up
(br_if $done (i32.ge_u (local.get $k) (local.get $d)))
(local.set $next (i32.add (local.get $base) (i32.shl (i32.const 32) (i32.sub (local.get $d) (local.get $k)))))
(local.set $index (i32.shr_u (local.get $index) (i32.const 1)))
(call $one64 (i32.add (local.get $base) (i32.shl (local.get $index) (i32.const 6))) (i32.const 1) (i32.add (local.get $next) (i32.shl (local.get $index) (i32.const 5))))
(local.set $base (local.get $next))
(local.set $k (i32.add (local.get $k) (i32.const 1)))
(br $up))))

;; n consecutive messages of $len bytes each at $in -> n digests at $out.
(func (export "batch") (param $in i32) (param $len i32) (param $n i32) (param $out i32)
(block $done
(loop $next
(br_if $done (i32.eqz (local.get $n)))
(call $hash (local.get $in) (local.get $len) (local.get $out))
(local.set $in (i32.add (local.get $in) (local.get $len)))
(local.set $out (i32.add (local.get $out) (i32.const 32)))
(local.set $n (i32.sub (local.get $n) (i32.const 1)))
(br $next))))
)
`;

const wabt = await (await import("wabt")).default();
function compile(name: string, text: string): Uint8Array {
  const mod = wabt.parseWat(name, text, { bulk_memory: true, simd: true });
  mod.validate();
  const bytes = mod.toBinary({ write_debug_names: false }).buffer;
  mod.destroy();
  return bytes;
}
const wat = moduleText(true);
const watScalar = moduleText(false);
const bytes = compile("keccak-f1600.wat", wat);
const bytesScalar = compile("keccak-f1600-scalar.wat", watScalar);
const b64 = Buffer.from(bytes).toString("base64");
const b64Scalar = Buffer.from(bytesScalar).toString("base64");

const ts = `// GENERATED by scripts/gen-keccak-wasm.ts from its keccak-f[1600] generator (text in
// keccak-f1600.wat). Do not edit; regenerate with \`npx tsx scripts/gen-keccak-wasm.ts\`.

/** Rounds per loop iteration in the compiled permutation. */
export const KECCAK_WASM_UNROLL = ${UNROLL};
/** Whether the permutation uses lane complementing. */
export const KECCAK_WASM_COMPLEMENT = ${COMPLEMENT};
/** Offset of the 25-lane streaming state. */
export const STATE_PTR = ${STATE_PTR};
/** Offset and size of the batch input / one-shot message area. */
export const IN_PTR = ${IN_PTR};
export const IN_SIZE = ${IN_SIZE};
/** Offset and size of the batch output area. */
export const OUT_PTR = ${OUT_PTR};
export const OUT_SIZE = ${OUT_SIZE};
/** Offset and size of the host-managed arena (hashed in place with hash()). */
export const ARENA_PTR = ${ARENA_PTR};
export const ARENA_SIZE = ${ARENA_SIZE};
/** keccak-256 rate in bytes. */
export const RATE = ${RATE};

/** The compiled module (${bytes.length} bytes), with the two-way SIMD permutation for batches. */
export const KECCAK_WASM_BASE64 =
  "${b64}";

/** The same module without SIMD (${bytesScalar.length} bytes): for an engine that cannot compile the one above. */
export const KECCAK_WASM_SCALAR_BASE64 =
  "${b64Scalar}";
`;

const watPath = join(root, "src/hash/keccak-f1600.wat");
const watScalarPath = join(root, "src/hash/keccak-f1600-scalar.wat");
const tsPath = join(root, "src/hash/keccak-wasm.ts");
if (process.argv.includes("--check")) {
  const stale = [
    [watPath, wat],
    [watScalarPath, watScalar],
    [tsPath, ts],
  ].filter(([p, text]) => {
    try {
      return readFileSync(p!, "utf8") !== text;
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(`out of date: ${stale.map(([p]) => p).join(", ")}; run \`npx tsx scripts/gen-keccak-wasm.ts\``);
    process.exit(1);
  }
  console.log("keccak wasm is up to date");
} else {
  writeFileSync(watPath, wat);
  writeFileSync(watScalarPath, watScalar);
  writeFileSync(tsPath, ts);
  console.log(`wrote ${watPath}, ${watScalarPath} and ${tsPath} (${bytes.length} / ${bytesScalar.length} bytes of wasm, unroll ${UNROLL}, complement ${COMPLEMENT})`);
}
