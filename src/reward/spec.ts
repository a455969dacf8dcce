import { z } from "zod";
import { DATASET_KINDS, TASK_KINDS, type DatasetKind, type TaskKind } from "../task/schema.js";
import type { AnalyzerName, Confidence, Severity } from "../analysis/finding.js";

/**
 * A reward spec is data: every built-in spec is an instance of the same schema a user's config
 * file fills in, so a custom spec can do anything a built-in one does.
 *
 *   R = (1 - quality_weight) * function + quality_weight * quality
 *
 * `quality` is either "severity" (1 - min(1, sum of severity weights), SecureCodeRL) or "binary"
 * (1 when no counted finding, else 0, REAL). Code that is absent or does not compile gets a fixed
 * penalty instead of the mix.
 */

const ANALYZERS = ["rules", "vuln", "types"] as const satisfies readonly AnalyzerName[];
const LEVELS = ["LOW", "MEDIUM", "HIGH"] as const satisfies readonly Severity[];

/** A value that may differ per task: `by_kind` wins over `by_source`, which wins over `default`. */
function perTask<T extends z.ZodTypeAny>(value: T) {
  return z
    .object({
      default: value,
      by_kind: z.record(z.enum(TASK_KINDS), value).optional(),
      by_source: z.record(z.enum(DATASET_KINDS), value).optional(),
    })
    .strict();
}

const weightSchema = z.number().min(0).max(1);
const analyzerListSchema = z.array(z.enum(ANALYZERS));

export const RewardSpecSchema = z
  .object({
    name: z.string().min(1),
    /** How findings become the quality part. */
    quality: z.enum(["severity", "binary"]),
    /** Weight of the quality part (REAL's alpha); the function part gets 1 minus it. */
    quality_weight: z.union([weightSchema, perTask(weightSchema)]),
    /** Which analyzers' findings count toward quality. */
    analyzers: z.union([analyzerListSchema, perTask(analyzerListSchema)]),
    /** Used by the "severity" quality: weight summed per counted finding. */
    severity_weights: z.object({ LOW: z.number().min(0), MEDIUM: z.number().min(0), HIGH: z.number().min(0) }).strict(),
    /** Findings below this severity (or confidence) are not counted. */
    min_severity: z.enum(LEVELS),
    min_confidence: z.enum(LEVELS),
    penalties: z
      .object({
        /** Reward for a completion that held no code at all. */
        no_code: z.number(),
        /** Reward for code CPython cannot compile. */
        compile_error: z.number(),
        /** Reward for trivial code (see trivial.ts); null: the mix with function = 0. */
        trivial: z.number().nullable(),
      })
      .strict(),
    /**
     * Which tests feed the function part: "functional" counts plain APPS tests, SecCodePLT
     * capability cases and SafeSQL functional inputs, leaving safety/attack cases to be reported
     * apart (they measure security, which static analysis rewards); "all" counts every test.
     */
    function_tests: z.enum(["functional", "all"]),
    /**
     * Leave out of the function part the tests a task-independent program would pass (empty
     * expected output or None; the input handed back). Off in the built-in specs, which follow the design's
     * R_func = passed / total; trivial code earns no function reward either way.
     */
    exclude_trivially_passable_tests: z.boolean(),
    /**
     * Passes that show nothing a task-independent program would not: when one such program (prints
     * nothing / returns None, echoes its input, prints or returns a common guess such as 0, True,
     * [] or YES) would have passed every test a program passed, those passes earn no credit. A
     * program that prints nothing, echoes or guesses then earns no more than an honest wrong answer,
     * while a working program keeps R_func = passed / total. Defaults to true.
     */
    trivially_passable_tests_need_evidence: z.boolean().default(true),
    /**
     * Whether trivial code may earn the quality part. Off by default: an empty program has no
     * vulnerabilities, and rewarding that is the reward hack both papers warn about.
     */
    credit_quality_for_trivial: z.boolean(),
  })
  .strict();

export type RewardSpec = z.infer<typeof RewardSpecSchema>;
type PerTask<T> = { default: T; by_kind?: Partial<Record<TaskKind, T>>; by_source?: Partial<Record<DatasetKind, T>> };

/** SecureCodeRL: R = 0.6 R_func + 0.4 R_sec, R_sec from Bandit-compatible findings. */
export const SECURECODERL_SPEC: RewardSpec = Object.freeze({
  name: "securecoderl",
  quality: "severity",
  quality_weight: 0.4,
  analyzers: ["rules"],
  severity_weights: { LOW: 0.3, MEDIUM: 0.6, HIGH: 1.0 },
  min_severity: "LOW",
  min_confidence: "LOW",
  // The paper's reward gives code that does not compile R_func = 0 and, since Bandit cannot
  // parse it, R_sec = 1, i.e. 0.4: as much as compiling code that fails every test. Its training
  // set kept compiling samples only, so that value was never used; we give 0 instead, so no
  // completion scores above a real attempt by not being code.
  penalties: { no_code: 0, compile_error: 0, trivial: null },
  function_tests: "functional",
  exclude_trivially_passable_tests: false,
  trivially_passable_tests_need_evidence: true,
  credit_quality_for_trivial: false,
}) as RewardSpec;

/** REAL: R = a r_quality + (1 - a) r_function, r_quality binary from the detector or type checker. */
export const REAL_SPEC: RewardSpec = Object.freeze({
  name: "real",
  quality: "binary",
  quality_weight: { default: 0.5, by_kind: { safesql: 0.3 } },
  analyzers: { default: ["vuln"], by_kind: { "apps-call": ["types"] } },
  severity_weights: { LOW: 0.3, MEDIUM: 0.6, HIGH: 1.0 },
  min_severity: "LOW",
  min_confidence: "LOW",
  penalties: { no_code: -1, compile_error: -0.5, trivial: null },
  function_tests: "functional",
  exclude_trivially_passable_tests: false,
  trivially_passable_tests_need_evidence: true,
  credit_quality_for_trivial: false,
}) as RewardSpec;

const BUILT_IN: Record<string, RewardSpec> = { securecoderl: SECURECODERL_SPEC, real: REAL_SPEC };

export function specNames(): string[] {
  return Object.keys(BUILT_IN);
}

export function getSpec(name: string): RewardSpec {
  const spec = BUILT_IN[name];
  if (!spec) throw new Error(`unknown reward spec "${name}" (built-in: ${specNames().join(", ")})`);
  return spec;
}

/**
 * A custom spec from a config object. `extends` names a built-in spec whose fields fill in
 * whatever the config leaves out; without it every field is required. Errors name the field.
 */
export function parseSpec(config: unknown): RewardSpec {
  const ExtendsSchema = z.object({ extends: z.string().optional() }).passthrough();
  const head = ExtendsSchema.safeParse(config);
  if (!head.success) throw new Error(`reward spec must be an object: ${formatZodError(head.error)}`);
  const { extends: baseName, ...rest } = head.data;
  const merged = baseName ? { ...structuredClone(getSpec(baseName)), name: `${baseName}-custom`, ...rest } : rest;
  const parsed = RewardSpecSchema.safeParse(merged);
  if (!parsed.success) throw new Error(`invalid reward spec: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

export interface TaskKey {
  kind: TaskKind;
  source: DatasetKind;
}

function resolve<T>(value: T | PerTask<T>, task: TaskKey, isPerTask: (v: T | PerTask<T>) => v is PerTask<T>): T {
  if (!isPerTask(value)) return value;
  return value.by_kind?.[task.kind] ?? value.by_source?.[task.source] ?? value.default;
}

/** The quality weight (alpha) a spec uses for a task. */
export function qualityWeightFor(spec: RewardSpec, task: TaskKey): number {
  return resolve(spec.quality_weight, task, (v): v is PerTask<number> => typeof v === "object");
}

/** The analyzers whose findings a spec counts for a task: the verifier must run at least these. */
export function analyzersFor(spec: RewardSpec, task: TaskKey): AnalyzerName[] {
  return [...resolve(spec.analyzers, task, (v): v is PerTask<AnalyzerName[]> => !Array.isArray(v))];
}

export const LEVEL_ORDER: Record<Severity | Confidence, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };
