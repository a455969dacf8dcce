import Database from "better-sqlite3";
import type { SampleResult } from "../verify/types.js";

/**
 * The run store: one SQLite file per run (WAL). Every planned sample is a row whose state moves
 * planned -> generated -> verified (or error). Each state change is its own transaction, so a
 * `kill -9` loses at most the samples in flight, and `--resume` redoes exactly the unfinished ones.
 */

/** Dataset label of samples whose task id no loaded dataset has (run.ts's UNKNOWN_DATASET). */
export const UNKNOWN_DATASET_LABEL = "(unknown)";

export type SampleState = "planned" | "generated" | "verified" | "error";

export interface PlannedSample {
  model: string;
  dataset: string;
  task_id: string;
  sample_index: number;
  /** Set when the plan already knows the sample cannot be judged (e.g. unknown task id). */
  error?: { status: "unknown_task"; message: string; completion: string | null };
}

export interface StoredSample {
  seq: number;
  model: string;
  dataset: string;
  task_id: string;
  sample_index: number;
  state: SampleState;
  completion: string | null;
  gen_error: string | null;
  /** The exact prompt sent (JSON of a string or a message list); null for replayed samples. */
  prompt: string | null;
  /** 1 when the completion came from the generation cache. */
  cached: number | null;
}

/** What generation gave for one sample. */
export type GenerationOutcome = ({ completion: string } | { error: string }) & { prompt?: unknown; cached?: boolean };

const SAMPLE_COLUMNS = "seq, model, dataset, task_id, sample_index, state, completion, gen_error, prompt, cached";

export interface RunIssue {
  source: string;
  message: string;
}

export class RunStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // Each commit is fsynced by WAL at NORMAL only at checkpoints; FULL makes a committed sample survive power loss too.
    this.db.pragma("synchronous = FULL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS samples (
        seq INTEGER PRIMARY KEY,
        model TEXT NOT NULL,
        dataset TEXT NOT NULL,
        task_id TEXT NOT NULL,
        sample_index INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'planned',
        completion TEXT,
        gen_error TEXT,
        result TEXT,
        UNIQUE (model, dataset, task_id, sample_index)
      );
      CREATE INDEX IF NOT EXISTS samples_state ON samples (state);
      CREATE TABLE IF NOT EXISTS issues (id INTEGER PRIMARY KEY, source TEXT NOT NULL, message TEXT NOT NULL);
    `);
    // Columns added after the first release: a run stored by an older version still resumes.
    const columns = new Set((this.db.prepare("PRAGMA table_info(samples)").all() as { name: string }[]).map((c) => c.name));
    if (!columns.has("prompt")) this.db.exec("ALTER TABLE samples ADD COLUMN prompt TEXT");
    if (!columns.has("cached")) this.db.exec("ALTER TABLE samples ADD COLUMN cached INTEGER");
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  isPlanned(): boolean {
    return this.getMeta("planned") === "1";
  }

  /** Writes the whole plan (and input issues) in one transaction: a run is planned fully or not at all. */
  writePlan(samples: readonly PlannedSample[], issues: readonly RunIssue[]): void {
    const insert = this.db.prepare("INSERT INTO samples (model, dataset, task_id, sample_index, state, completion, gen_error) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const insertIssue = this.db.prepare("INSERT INTO issues (source, message) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const s of samples) {
        if (s.error) {
          insert.run(s.model, s.dataset, s.task_id, s.sample_index, "error", s.error.completion, s.error.message);
        } else insert.run(s.model, s.dataset, s.task_id, s.sample_index, "planned", null, null);
      }
      for (const i of issues) insertIssue.run(i.source, i.message);
      this.setMeta("planned", "1");
    })();
  }

  samplesIn(state: SampleState): StoredSample[] {
    return this.db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE state = ? ORDER BY seq`).all(state) as StoredSample[];
  }

  counts(): Record<SampleState, number> {
    const out: Record<SampleState, number> = { planned: 0, generated: 0, verified: 0, error: 0 };
    for (const row of this.db.prepare("SELECT state, COUNT(*) AS n FROM samples GROUP BY state").all() as { state: SampleState; n: number }[]) out[row.state] = row.n;
    return out;
  }

  /** Samples served from the generation cache. */
  cachedCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM samples WHERE cached = 1").get() as { n: number }).n;
  }

  /** Generation errors (not unknown task ids, which no retry can fix), with their messages. */
  generationErrors(): { seq: number; gen_error: string }[] {
    return this.db.prepare("SELECT seq, gen_error FROM samples WHERE state = 'error' AND dataset != ? AND gen_error IS NOT NULL ORDER BY seq").all(UNKNOWN_DATASET_LABEL) as { seq: number; gen_error: string }[];
  }

  /** `--retry-errors`: every generation error goes back to planned, to be generated again. */
  resetGenerationErrors(): number {
    return this.db.prepare("UPDATE samples SET state = 'planned', gen_error = NULL, result = NULL WHERE state = 'error' AND dataset != ? AND gen_error IS NOT NULL").run(UNKNOWN_DATASET_LABEL).changes;
  }

  /** A generation result: the completion moves the sample on to verification; an error ends it. */
  saveGeneration(seq: number, outcome: GenerationOutcome): void {
    const prompt = outcome.prompt === undefined ? null : JSON.stringify(outcome.prompt);
    if ("completion" in outcome) {
      this.db
        .prepare("UPDATE samples SET state = 'generated', completion = ?, gen_error = NULL, prompt = ?, cached = ? WHERE seq = ? AND state = 'planned'")
        .run(outcome.completion, prompt, outcome.cached ? 1 : 0, seq);
    } else {
      this.db.prepare("UPDATE samples SET state = 'error', gen_error = ?, prompt = ? WHERE seq = ? AND state = 'planned'").run(outcome.error, prompt, seq);
    }
  }

  saveResult(seq: number, result: SampleResult): void {
    this.saveResults([{ seq, result }]);
  }

  /**
   * Several results in one transaction: one commit, so one fsync (synchronous = FULL) for the lot.
   * A commit cost 3-4 ms of wall time on the development machine, during which the thread that
   * feeds the sandbox workers is blocked.
   */
  saveResults(batch: readonly { seq: number; result: SampleResult }[]): void {
    if (batch.length === 0) return;
    const update = this.db.prepare("UPDATE samples SET state = 'verified', result = ? WHERE seq = ?");
    this.db.transaction(() => {
      for (const { seq, result } of batch) update.run(JSON.stringify(result), seq);
    })();
  }

  /** Error samples get their result written too, so outputs come from one place. */
  saveErrorResult(seq: number, result: SampleResult): void {
    this.db.prepare("UPDATE samples SET result = ? WHERE seq = ?").run(JSON.stringify(result), seq);
  }

  /** Every finished sample's result, in plan order (the order of results.jsonl). */
  results(): SampleResult[] {
    const rows = this.db.prepare("SELECT result FROM samples WHERE result IS NOT NULL ORDER BY seq").all() as { result: string }[];
    return rows.map((r) => JSON.parse(r.result) as SampleResult);
  }

  /** Error rows that have no result yet (written when the run renders them). */
  errorsWithoutResult(): StoredSample[] {
    return this.db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE state = 'error' AND result IS NULL ORDER BY seq`).all() as StoredSample[];
  }

  issues(): RunIssue[] {
    return this.db.prepare("SELECT source, message FROM issues ORDER BY id").all() as RunIssue[];
  }

  close(): void {
    this.db.close();
  }
}
