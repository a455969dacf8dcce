/**
 * The progress line on stderr: redrawn in place on a terminal, one line per step otherwise (logs
 * and CI keep the whole history).
 */
export class ProgressLine {
  private readonly started = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(step: number, m: Record<string, number>): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round((width * step) / Math.max(1, this.total));
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const fmt = (k: string, digits = 3) => (m[k] === undefined ? "" : ` ${k.replace(/_mean$/, "")} ${m[k]!.toFixed(digits)}`);
    const secs = ((Date.now() - this.started) / 1000).toFixed(0);
    const line = `${this.label} ${bar} ${step}/${this.total}${fmt("reward_mean")}${fmt("patched_share", 2)}${fmt("kl", 4)}${fmt("entropy")} ${secs}s`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(): void {
    if (this.enabled && this.tty) process.stderr.write("\n");
  }
}
