/**
 * The challenger's durable state in lmdb (fsync'd commits: survives kill -9). Keys:
 * - `claim:<taskId>:<attempt>`  a result claim and our verdict on it (ClaimRecord)
 * - `game:<gameId>`             a game on a claim we watch, ours or another challenger's (GameRecord)
 * - `cursor`                    the last block whose events were processed
 * Trace snapshots live beside the database, in `<db>/traces/<taskId>-<attempt>/` (trace-store of the
 * stepper), deleted when the claim's games are over. The chain stays the source of truth.
 */
import { KvStore } from "@vwasm/solver";

export type Verdict = "new" | "agrees" | "wrong" | "skipped" | "failed";

export interface ClaimRecord {
  taskId: string;
  attempt: number;
  solver: string;
  claim: { status: number; trapCode: number; steps: string; finalStateHash: string; outputHash: string };
  challengeDeadline: string;
  block: string;
  verdict: Verdict;
  reason?: string;
  /** What we computed, when checked. */
  mine?: { status: string; trap?: string; steps: number; finalStateHash: string; outputHash: string; engine: string; ms: number };
  /** Our game on this claim, once opened. */
  gameId?: string;
  /** No further action: the claim fell, was finalized, or we lost our game. */
  done?: boolean;
}

export interface GameRecord {
  gameId: string;
  taskId: string;
  attempt: number;
  challenger: string;
  mine: boolean;
  moves: { kind: string; lo: string; hi: string; tx: string; at: number; gas: string }[];
  ended?: string;
  openedAt: number;
}

export class Store extends KvStore {
  getClaim(taskId: string, attempt: number): ClaimRecord | undefined {
    return this.db.get(`claim:${taskId}:${attempt}`) as ClaimRecord | undefined;
  }
  async putClaim(rec: ClaimRecord): Promise<void> {
    await this.db.put(`claim:${rec.taskId}:${rec.attempt}`, rec);
  }
  claims(): ClaimRecord[] {
    return this.range<ClaimRecord>("claim");
  }
  getGame(id: string): GameRecord | undefined {
    return this.db.get(`game:${id}`) as GameRecord | undefined;
  }
  async putGame(rec: GameRecord): Promise<void> {
    await this.db.put(`game:${rec.gameId}`, rec);
  }
  games(): GameRecord[] {
    return this.range<GameRecord>("game");
  }
}
