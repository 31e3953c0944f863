/**
 * The daemon's durable state in lmdb (ACID, fsync'd commits: survives kill -9). Keys:
 * - `task:<id>`   what this solver did about a task (TaskRecord)
 * - `game:<id>`   a dispute game against one of its results, and its moves (GameRecord)
 * - `cursor`      the last block whose market events were processed
 * The chain stays the source of truth: on restart every record not terminal is re-read from it.
 */
import { KvStore } from "./kit.ts";

export type TaskState =
  | "skipped" // policy or checks refused it (reason)
  | "claiming" // claim sent, not yet confirmed
  | "claimed"
  | "submitted"
  | "finalized" // final, paid into the withdrawable balance
  | "lost" // another solver claimed it first, or our claim expired
  | "failed"; // the task could not be run (reason); the claim, if any, expires

export interface TaskRecord {
  taskId: string;
  state: TaskState;
  attempt?: number;
  reason?: string;
  moduleId?: string;
  rewardToken?: string;
  reward?: string;
  /** The computed result (hex), kept so a restart submits without re-running. */
  result?: { finalStateHash: string; headerWords: string; output: string; steps: number; status: string; trap?: string };
  postedBlock?: string;
  updatedAt: number;
}

export interface GameRecord {
  gameId: string;
  taskId: string;
  attempt: number;
  moves: { kind: "bisect" | "prove"; lo: string; hi: string; tx: string; at: number }[];
  ended?: string;
}

export class Store extends KvStore {
  getTask(id: bigint): TaskRecord | undefined {
    return this.db.get(`task:${id}`) as TaskRecord | undefined;
  }
  async putTask(rec: Omit<TaskRecord, "updatedAt">): Promise<void> {
    await this.db.put(`task:${rec.taskId}`, { ...rec, updatedAt: Date.now() });
  }
  tasks(): TaskRecord[] {
    return this.range<TaskRecord>("task");
  }
  getGame(id: bigint): GameRecord | undefined {
    return this.db.get(`game:${id}`) as GameRecord | undefined;
  }
  async putGame(rec: GameRecord): Promise<void> {
    await this.db.put(`game:${rec.gameId}`, rec);
  }
  games(): GameRecord[] {
    return this.range<GameRecord>("game");
  }
}
