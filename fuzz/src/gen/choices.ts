/**
 * A stream of choices that a generator decodes into a program. fast-check generates and shrinks
 * the stream (an array of small numbers); the decoder maps every stream to a VALID program, and
 * an exhausted stream or a zero to the simplest option, so shrinking the stream (shorter, smaller
 * numbers) shrinks the program towards constants and empty bodies.
 */
export class Choices {
  private i = 0;

  constructor(private readonly c: readonly number[]) {}

  /** A choice in [0, n): 0 when the stream is exhausted. */
  pick(n: number): number {
    if (n <= 1) return 0;
    const v = this.i < this.c.length ? this.c[this.i++]! : 0;
    return v % n;
  }

  /** True with probability about pct/100 (false when exhausted). */
  chance(pct: number): boolean {
    return this.pick(100) >= 100 - pct;
  }

  /** One of `xs` (the first when exhausted). */
  one<T>(xs: readonly T[]): T {
    return xs[this.pick(xs.length)]!;
  }

  get exhausted(): boolean {
    return this.i >= this.c.length;
  }
}
