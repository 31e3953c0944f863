// Sorting: generates pseudo-random i32 values from a seed and sorts them with
// quicksort (in place, recursive) and with a bottom-up mergesort, checks that
// both agree and are ordered (traps with `unreachable` otherwise).
// Task input: [count u32 LE][seed u32 LE]; a shorter input uses count = 1000
// and seed = the byte sum of the input. count is capped at 200000.
// Task output (5 x u32 LE): count, FNV-1a hash of the sorted values, min, max, median.
// Plain exports: quicksortChecksum(n, seed), mergesortChecksum(n, seed),
// xorshift(x), partitionOf(n, seed) (a pivot position of the first partition).
import { input_size, readInput, output_write } from "./task";

export function xorshift(x: u32): u32 {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x;
}

function fill(a: usize, n: u32, seed: u32): void {
  let x: u32 = seed == 0 ? 0x9e3779b9 : seed;
  for (let i: u32 = 0; i < n; i++) {
    x = xorshift(x);
    // Mix in a small range now and then so there are duplicates.
    const v: i32 = (i & 7) == 0 ? <i32>(x % 16) - 8 : <i32>x;
    store<i32>(a + (<usize>i << 2), v);
  }
}

function partition(a: usize, lo: i32, hi: i32): i32 {
  // Median of three as pivot, Lomuto partition.
  const mid = lo + ((hi - lo) >> 1);
  const pa = a + (<usize>lo << 2);
  const pm = a + (<usize>mid << 2);
  const ph = a + (<usize>hi << 2);
  if (load<i32>(pm) < load<i32>(pa)) swap(pm, pa);
  if (load<i32>(ph) < load<i32>(pa)) swap(ph, pa);
  if (load<i32>(pm) < load<i32>(ph)) swap(pm, ph);
  const pivot = load<i32>(ph);
  let i = lo;
  for (let j = lo; j < hi; j++) {
    const pj = a + (<usize>j << 2);
    if (load<i32>(pj) < pivot) {
      swap(a + (<usize>i << 2), pj);
      i++;
    }
  }
  swap(a + (<usize>i << 2), ph);
  return i;
}

function swap(p: usize, q: usize): void {
  const t = load<i32>(p);
  store<i32>(p, load<i32>(q));
  store<i32>(q, t);
}

function quicksort(a: usize, lo: i32, hi: i32): void {
  while (lo < hi) {
    if (hi - lo < 12) {
      // Insertion sort for short ranges.
      for (let i = lo + 1; i <= hi; i++) {
        const v = load<i32>(a + (<usize>i << 2));
        let j = i - 1;
        while (j >= lo && load<i32>(a + (<usize>j << 2)) > v) {
          store<i32>(a + (<usize>(j + 1) << 2), load<i32>(a + (<usize>j << 2)));
          j--;
        }
        store<i32>(a + (<usize>(j + 1) << 2), v);
      }
      return;
    }
    const p = partition(a, lo, hi);
    // Recurse into the smaller side, loop on the larger one.
    if (p - lo < hi - p) {
      quicksort(a, lo, p - 1);
      lo = p + 1;
    } else {
      quicksort(a, p + 1, hi);
      hi = p - 1;
    }
  }
}

function mergesort(a: usize, tmp: usize, n: u32): void {
  let src = a;
  let dst = tmp;
  for (let width: u32 = 1; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const x = load<i32>(src + (<usize>i << 2));
        const y = load<i32>(src + (<usize>j << 2));
        if (y < x) {
          store<i32>(dst + (<usize>k << 2), y);
          j++;
        } else {
          store<i32>(dst + (<usize>k << 2), x);
          i++;
        }
        k++;
      }
      if (i < mid) memory.copy(dst + (<usize>k << 2), src + (<usize>i << 2), (mid - i) << 2);
      else if (j < hi) memory.copy(dst + (<usize>k << 2), src + (<usize>j << 2), (hi - j) << 2);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memory.copy(a, src, <usize>n << 2);
}

function fnv(a: usize, n: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < n << 2; i++) {
    h ^= load<u8>(a + i);
    h *= 0x01000193;
  }
  return h;
}

function checkSorted(a: usize, n: u32): void {
  for (let i: u32 = 1; i < n; i++) {
    if (load<i32>(a + (<usize>(i - 1) << 2)) > load<i32>(a + (<usize>i << 2))) unreachable();
  }
}

export function quicksortChecksum(n: u32, seed: u32): u32 {
  const a = heap.alloc(<usize>n << 2);
  fill(a, n, seed);
  if (n > 0) quicksort(a, 0, <i32>n - 1);
  checkSorted(a, n);
  return fnv(a, n);
}

export function mergesortChecksum(n: u32, seed: u32): u32 {
  const a = heap.alloc(<usize>n << 2);
  const t = heap.alloc(<usize>n << 2);
  fill(a, n, seed);
  mergesort(a, t, n);
  checkSorted(a, n);
  return fnv(a, n);
}

export function partitionOf(n: u32, seed: u32): i32 {
  if (n < 2) return 0;
  const a = heap.alloc(<usize>n << 2);
  fill(a, n, seed);
  return partition(a, 0, <i32>n - 1);
}

export function run(): void {
  const size = input_size();
  const inp = readInput();
  let n: u32 = 1000;
  let seed: u32 = 0;
  if (size >= 8) {
    n = load<u32>(inp);
    seed = load<u32>(inp, 4);
  } else {
    for (let i: u32 = 0; i < size; i++) seed += load<u8>(inp + i);
  }
  if (n > 200000) n = 200000;
  const a = heap.alloc((<usize>n << 2) + 4);
  const b = heap.alloc((<usize>n << 2) + 4);
  const t = heap.alloc((<usize>n << 2) + 4);
  fill(a, n, seed);
  memory.copy(b, a, <usize>n << 2);
  if (n > 0) quicksort(a, 0, <i32>n - 1);
  mergesort(b, t, n);
  checkSorted(a, n);
  for (let i: u32 = 0; i < n; i++) {
    if (load<i32>(a + (<usize>i << 2)) != load<i32>(b + (<usize>i << 2))) unreachable();
  }
  const out = heap.alloc(20);
  store<u32>(out, n);
  store<u32>(out, fnv(a, n), 4);
  store<i32>(out, n > 0 ? load<i32>(a) : 0, 8);
  store<i32>(out, n > 0 ? load<i32>(a + (<usize>(n - 1) << 2)) : 0, 12);
  store<i32>(out, n > 0 ? load<i32>(a + (<usize>(n >> 1) << 2)) : 0, 16);
  output_write(out, 20);
}
