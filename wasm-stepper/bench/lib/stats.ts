/** Small statistics and formatting helpers for the benchmark. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A rate with 3 significant digits and an SI suffix: 18.1 G, 355 M, 580 k. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return "-";
  const units: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [div, suffix] of units) {
    if (x >= div) return `${(x / div).toPrecision(3)} ${suffix}`;
  }
  return x.toPrecision(3);
}

/** A ratio as a percentage with 3 significant digits (at least 2 decimals below 1%). */
export function formatPercent(r: number): string {
  if (!Number.isFinite(r)) return "-";
  const p = r * 100;
  return `${p >= 1 ? p.toPrecision(3) : p.toFixed(2)}%`;
}

/** Integer with thousands separators. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Left-aligned text table (the first row is the header). */
export function table(rows: string[][], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const sep = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join("\n");
}
