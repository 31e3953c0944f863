import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // hardhat 2 is CommonJS and keeps global state: one process per test file.
    pool: "forks",
    setupFiles: ["./test/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
