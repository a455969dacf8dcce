import cliProgress from "cli-progress";

/**
 * Stage progress on stderr. Generation and verification run at the same time (a sample is
 * verified as soon as its completion arrives), so each stage keeps its own count, rate, ETA,
 * cache hits and errors: a bar per stage on a TTY, one combined line every few seconds
 * otherwise (CI logs, pipes), nothing when quiet. `note` prints a line without breaking the bars.
 */
export interface StageProgress {
  start(stage: string, total: number, alreadyDone?: number, alreadyCached?: number): void;
  tick(stage: string, outcome?: { error?: boolean; cached?: boolean }): void;
  /** A stage's total changed (samples that failed to generate never reach verification). */
  retotal(stage: string, total: number): void;
  note(line: string): void;
  stop(): void;
}

interface StageState {
  name: string;
  total: number;
  done: number;
  cached: number;
  errors: number;
  startDone: number;
  startedAt: number;
  /** When the stage reached its total: rate and ETA stop there instead of decaying. */
  finishedAt?: number;
}

export function createProgress(opts: { stream?: NodeJS.WriteStream; quiet?: boolean; intervalMs?: number } = {}): StageProgress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { start() {}, tick() {}, retotal() {}, note() {}, stop() {} };
  return stream.isTTY ? barProgress(stream) : lineProgress(stream, opts.intervalMs ?? 2000);
}

/** Samples per second since the stage started (resumed samples do not count), and seconds left. */
function pace(s: StageState, now = Date.now()): { rate: number; eta: number | null } {
  const elapsed = ((s.finishedAt ?? now) - s.startedAt) / 1000;
  const rate = elapsed > 0 ? (s.done - s.startDone) / elapsed : 0;
  return { rate, eta: rate > 0 ? Math.round((s.total - s.done) / rate) : s.done >= s.total ? 0 : null };
}

function formatEta(eta: number | null): string {
  if (eta === null) return "?";
  return eta >= 60 ? `${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, "0")}s` : `${eta}s`;
}

export function stageLine(s: StageState): string {
  const { rate, eta } = pace(s);
  return `${s.name} ${s.done}/${s.total} (${s.cached} cached, ${s.errors} errors) ${rate.toFixed(1)}/s ETA ${formatEta(eta)}`;
}

function newStage(name: string, total: number, done: number, cached: number): StageState {
  return { name, total, done, cached, errors: 0, startDone: done, startedAt: Date.now() };
}

function count(s: StageState, outcome: { error?: boolean; cached?: boolean } | undefined): void {
  s.done++;
  if (outcome?.error) s.errors++;
  if (outcome?.cached) s.cached++;
  if (s.done >= s.total) s.finishedAt ??= Date.now();
}

function barProgress(stream: NodeJS.WriteStream): StageProgress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: " {stage} |{bar}| {value}/{total} | {rate}/s | ETA {eta} | cached {cached} | errors {errors}",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const stages = new Map<string, { state: StageState; bar: cliProgress.SingleBar }>();
  const payload = (s: StageState) => {
    const { rate, eta } = pace(s);
    return { stage: s.name.padEnd(8), rate: rate.toFixed(1), eta: formatEta(eta), cached: s.cached, errors: s.errors };
  };
  return {
    start(stage, total, alreadyDone = 0, alreadyCached = 0) {
      const state = newStage(stage, total, alreadyDone, alreadyCached);
      stages.set(stage, { state, bar: multi.create(total, alreadyDone, payload(state)) });
    },
    tick(stage, outcome) {
      const s = stages.get(stage);
      if (!s) return;
      count(s.state, outcome);
      s.bar.update(s.state.done, payload(s.state));
    },
    retotal(stage, total) {
      const s = stages.get(stage);
      if (!s) return;
      s.state.total = total;
      s.bar.setTotal(total);
    },
    note(line) {
      multi.log(`${line}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream, intervalMs: number): StageProgress {
  const stages = new Map<string, StageState>();
  let lastPrint = 0;
  // Generation before verification, whichever started first.
  const print = () => {
    const ordered = [...stages.values()].sort((a, b) => Number(b.name === "generate") - Number(a.name === "generate"));
    stream.write(`${ordered.map(stageLine).join(" | ")}\n`);
    lastPrint = Date.now();
  };
  return {
    start(stage, total, alreadyDone = 0, alreadyCached = 0) {
      stages.set(stage, newStage(stage, total, alreadyDone, alreadyCached));
      print();
    },
    tick(stage, outcome) {
      const s = stages.get(stage);
      if (!s) return;
      count(s, outcome);
      if (s.done === s.total || Date.now() - lastPrint >= intervalMs) print();
    },
    retotal(stage, total) {
      const s = stages.get(stage);
      if (s) s.total = total;
    },
    note(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
