/**
 * The registry of oracles, by name (`--oracle <name>`).
 */
import type { AnyOracle } from "../oracle.ts";
import { enginesOracle } from "./engines.ts";
import { gameOracle } from "./game.ts";
import { loaderOracle } from "./loader.ts";
import { proverOracle } from "./prover.ts";
import { referenceOracle } from "./reference.ts";
import { tamperOracle } from "./tamper.ts";

export const ORACLES: readonly AnyOracle[] = [enginesOracle, referenceOracle, loaderOracle, proverOracle, tamperOracle, gameOracle];

export function oracleByName(name: string): AnyOracle {
  const o = ORACLES.find((x) => x.name === name);
  if (!o) throw new Error(`unknown oracle "${name}" (known: ${ORACLES.map((x) => x.name).join(", ")})`);
  return o;
}
