import { describe, expect, it } from "vitest";
import { disputedSegment, pickedRange } from "../src/dispute.js";
import { InvalidParameterError } from "../src/errors.js";

const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

describe("disputedSegment", () => {
  it("picks the first segment whose end differs", () => {
    expect(disputedSegment([h(1), h(2), h(3)], [h(1), h(9), h(8)])).toBe(1);
    expect(disputedSegment([h(1), h(2), h(3)], [h(7), h(2), h(3)])).toBe(0);
  });
  it("picks the last segment when every interior hash agrees, and compares case-insensitively", () => {
    expect(disputedSegment([h(10), h(11)], [h(10), h(11)])).toBe(2);
    expect(disputedSegment(["0xAB"], ["0xab"])).toBe(1);
  });
  it("refuses lists of different lengths", () => {
    expect(() => disputedSegment([h(1)], [h(1), h(2)])).toThrow(InvalidParameterError);
  });
});

describe("pickedRange", () => {
  it("splits like DisputeGame.pick (floor of span*index/segments)", () => {
    expect(pickedRange(0n, 100n, 16, 0)).toEqual({ lo: 0n, hi: 6n });
    expect(pickedRange(0n, 100n, 16, 15)).toEqual({ lo: 93n, hi: 100n });
    expect(pickedRange(10n, 13n, 3, 1)).toEqual({ lo: 11n, hi: 12n });
  });
});
