import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { LRUCache } from "lru-cache";
import { loadTasks, TaskSchema, type DatasetKind, type Task } from "../task/index.js";
import { parseWireJson, stringifyWireJson } from "../verify/index.js";

/**
 * The read-only task stores a replica loads at start (`serve --tasks`), and the one place that
 * turns what a client sends (a reference, a Task object, an id, or a JSON string of any of them)
 * into a Task. Every replica of a deployment must hold the same stores: /readyz reports their
 * content hash so a client or a load balancer can check.
 */

export interface StoreInfo {
  path: string;
  /** The layout name loadTasks reported: what a reference's `dataset` names. */
  dataset: DatasetKind;
  tasks: number;
  /** Rows that could not become tasks (reported at start, never fatal). */
  skipped: number;
  hash: string;
}

export type Resolved = { task: Task; hash: string } | { error: string; taskId: string | null };

export class TaskStores {
  readonly stores: StoreInfo[];
  /** Hash over every store (in any order of --tasks): equal on replicas that hold the same tasks. */
  readonly hash: string;
  readonly size: number;
  private readonly byRef = new Map<string, Task>();
  private readonly byId = new Map<string, Task[]>();
  private readonly hashes = new WeakMap<Task, string>();
  /** Task JSON strings seen recently (labels repeat for every sample of a prompt): parsed once. */
  private readonly parsedLabels = new LRUCache<string, Resolved>({ max: 1024, maxSize: 256 * 1024 * 1024, sizeCalculation: (_v, k) => Math.max(1, k.length) });

  private constructor(stores: StoreInfo[], tasks: Array<{ dataset: DatasetKind; task: Task; hash: string }>) {
    this.stores = stores;
    for (const { dataset, task, hash } of tasks) {
      this.byRef.set(refKey(dataset, task.id), task);
      (this.byId.get(task.id) ?? this.byId.set(task.id, []).get(task.id)!).push(task);
      this.hashes.set(task, hash);
    }
    this.size = tasks.length;
    this.hash = sha16(stores.map((s) => `${s.dataset}:${s.hash}`).sort().join("\n"));
  }

  static empty(): TaskStores {
    return new TaskStores([], []);
  }

  /** Loads every path; two stores that give the same (dataset, id) different content is an error. */
  static async load(paths: readonly string[], log: (line: string) => void = () => {}): Promise<TaskStores> {
    const stores: StoreInfo[] = [];
    const all: Array<{ dataset: DatasetKind; task: Task; hash: string }> = [];
    const seen = new Map<string, { hash: string; path: string }>();
    for (const path of paths) {
      const loaded = await loadTasks(path);
      const storeHash = createHash("sha256");
      for (const task of loaded.tasks) {
        const text = stringifyWireJson(task);
        const hash = sha16(text);
        storeHash.update(text).update("\n");
        const key = refKey(loaded.dataset, task.id);
        const before = seen.get(key);
        if (before && before.hash !== hash) throw new Error(`task ${loaded.dataset}/${task.id} is in both ${before.path} and ${path} with different content; a reference to it would be ambiguous`);
        if (before) continue;
        seen.set(key, { hash, path });
        all.push({ dataset: loaded.dataset, task, hash });
      }
      for (const e of loaded.errors.slice(0, 5)) log(`tasks ${path}: row ${e.index}${e.id ? ` (${e.id})` : ""} skipped: ${e.reason}`);
      if (loaded.errors.length > 5) log(`tasks ${path}: ${loaded.errors.length - 5} more rows skipped`);
      stores.push({ path: resolve(path), dataset: loaded.dataset, tasks: loaded.tasks.length, skipped: loaded.errors.length, hash: storeHash.digest("hex").slice(0, 16) });
    }
    return new TaskStores(stores, all);
  }

  /** A task's content hash (the result cache's key part). */
  hashOf(task: Task): string {
    let h = this.hashes.get(task);
    if (h === undefined) {
      h = sha16(stringifyWireJson(task));
      this.hashes.set(task, h);
    }
    return h;
  }

  byReference(dataset: string | undefined, taskId: string): Resolved {
    if (dataset !== undefined) {
      const task = this.byRef.get(refKey(dataset, taskId));
      if (task) return { task, hash: this.hashOf(task) };
      const known = this.stores.map((s) => s.dataset);
      return {
        taskId,
        error: known.includes(dataset as DatasetKind)
          ? `unknown task ${dataset}/${taskId}: the ${dataset} store has no such id`
          : `unknown dataset '${dataset}' in reference to task ${taskId}: this service holds ${known.length ? known.join(", ") : "no task stores (start it with --tasks, or send the Task itself)"}`,
      };
    }
    const found = this.byId.get(taskId) ?? [];
    if (found.length === 1) return { task: found[0]!, hash: this.hashOf(found[0]!) };
    if (found.length === 0) return { taskId, error: `unknown task id '${taskId}': ${this.size ? "no loaded task store has it" : "this service holds no task stores (start it with --tasks, or send the Task itself)"}` };
    return { taskId, error: `task id '${taskId}' is in several task stores; send a reference {"dataset", "task_id"} instead` };
  }

  /** A Task object a client sent (validated by the task schema). */
  fromObject(value: unknown): Resolved {
    const parsed = TaskSchema.safeParse(value);
    if (!parsed.success) {
      const id = (value as { id?: unknown }).id;
      const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "task"}: ${i.message}`).join("; ");
      return { taskId: typeof id === "string" ? id : null, error: `invalid task object: ${where}` };
    }
    return { task: parsed.data, hash: this.hashOf(parsed.data) };
  }

  /**
   * A label in any of the four forms (architecture.md's CLI contract): a task id (string or
   * number), a reference object `{"dataset", "task_id"}`, a Task object, or a JSON string of a
   * reference or a Task.
   */
  resolveLabel(label: unknown): Resolved {
    if (typeof label === "number" || typeof label === "bigint") return this.byReference(undefined, String(label));
    if (typeof label === "string") {
      const text = label.trim();
      if (!text.startsWith("{")) return text === "" ? { taskId: null, error: "empty label: expected a task id, a reference or a task" } : this.byReference(undefined, text);
      const known = this.parsedLabels.get(label);
      if (known) return known;
      let value: unknown;
      try {
        value = parseWireJson(text);
      } catch (err) {
        return { taskId: null, error: `label looks like JSON but does not parse: ${(err as Error).message}` };
      }
      const out = isPlainObject(value) ? this.resolveObject(value) : { taskId: null, error: "label JSON is not an object" };
      this.parsedLabels.set(label, out);
      return out;
    }
    if (isPlainObject(label)) return this.resolveObject(label);
    return { taskId: null, error: `label must be a task id, a reference {"dataset", "task_id"}, a task object or a JSON string of one, not ${label === null ? "null" : Array.isArray(label) ? "a list" : typeof label}` };
  }

  private resolveObject(value: Record<string, unknown>): Resolved {
    if ("tests" in value || "kind" in value) return this.fromObject(value);
    const id = value.task_id;
    const dataset = value.dataset;
    if ((typeof id === "string" && id !== "") || typeof id === "number") {
      if (dataset !== undefined && typeof dataset !== "string") return { taskId: String(id), error: "reference 'dataset' must be a string" };
      return this.byReference(dataset, String(id));
    }
    return { taskId: null, error: `label object is neither a task (with "tests") nor a reference (with "task_id")` };
  }
}

/** Tasks leave the schema parse with its key order, so their JSON text is a stable identity without sorting keys. */
function sha16(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function refKey(dataset: string, id: string): string {
  return `${dataset}\u0000${id}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
