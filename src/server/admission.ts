/**
 * Admission control in front of the verifier: at most `concurrency` samples are verified at once,
 * at most `queueLimit` more wait, and anything beyond is refused at the door (503/504 with
 * Retry-After) instead of queueing without bound. A request reserves room for all its samples
 * before any starts, so an admitted request is always answered; a sample still waiting when its
 * request's deadline passes is dropped without starting.
 */

export class DeadlineExceeded extends Error {
  constructor() {
    super("deadline exceeded before this sample could start");
  }
}

interface Waiter {
  start: () => void;
  drop: () => void;
}

export class Admission {
  private active = 0;
  private reserved = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {}

  /** Samples admitted that have not started yet. */
  get depth(): number {
    return this.reserved;
  }

  get running(): number {
    return this.active;
  }

  /** Reserves room for `n` samples; false (and nothing reserved) when the queue cannot take them all. */
  admit(n: number): boolean {
    if (n <= 0) return true;
    // Free slots take samples at once, so only the rest has to fit in the queue.
    const free = Math.max(0, this.concurrency - this.active - this.reserved);
    if (this.reserved + n - Math.min(free, n) > this.queueLimit) return false;
    this.reserved += n;
    return true;
  }

  /**
   * Runs `fn` for one admitted sample once a slot is free. If `signal` fires while it waits, it is
   * dropped (DeadlineExceeded) and never starts; once started it runs to the end.
   */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.reserved = Math.max(0, this.reserved - 1);
        this.active++;
        let p: Promise<T>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        // The slot is free before the caller hears back, so what it does next sees a true count.
        const done = () => {
          this.active--;
          this.next();
        };
        p.then(
          (v) => {
            done();
            resolve(v);
          },
          (err: unknown) => {
            done();
            reject(err);
          },
        );
      };
      if (signal?.aborted) {
        this.reserved = Math.max(0, this.reserved - 1);
        reject(new DeadlineExceeded());
        return;
      }
      if (this.active < this.concurrency && this.waiting.length === 0) {
        start();
        return;
      }
      const onAbort = () => waiter.drop();
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          start();
        },
        drop: () => {
          const i = this.waiting.indexOf(waiter);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          this.reserved = Math.max(0, this.reserved - 1);
          reject(new DeadlineExceeded());
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private next(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) this.waiting.shift()!.start();
  }
}
