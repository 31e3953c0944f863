import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // hardhat 2 is CommonJS and keeps global state: one process per test file.
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
