#!/usr/bin/env node
// The vwasm command: its TypeScript entry run in this same process with tsx's loader.
import { register } from "tsx/esm/api";
register();
const { program } = await import("../src/cli.ts");
program()
  .parseAsync()
  .catch((e) => {
    console.error(`vwasm: ${e.shortMessage ?? e.message}`);
    process.exit(1);
  });
