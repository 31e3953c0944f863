/**
 * vitest setup (runs in every test worker before the test file): hardhat 2 imported as a library
 * does not register ts-node by itself, so point it at the config and register ts-node for the
 * config's TypeScript (TOOLING.md, "Tests with vitest against hardhat").
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
process.env.HARDHAT_CONFIG = join(pkg, "hardhat.config.ts");
const require = createRequire(import.meta.url);
(require("ts-node") as { register(o: object): void }).register({ transpileOnly: true, project: join(pkg, "tsconfig.json") });
