/** Where the package keeps its minimised failures (replayed by test/regressions.test.ts). */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REGRESSIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "regressions");
