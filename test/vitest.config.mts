import { defineConfig } from "vitest/config";

// One file at a time: each starts its own hardhat node and daemons (2 cores).
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
