#!/usr/bin/env node
// Runs the solver daemon's TypeScript entry in this same process (tsx's loader registered first), so
// the pid a supervisor holds is the daemon's.
import { register } from "tsx/esm/api";
register();
await import("../src/main.ts");
