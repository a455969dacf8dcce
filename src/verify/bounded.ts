/**
 * The one bounded-concurrency loop `verify`, `bench` and `sft-data` use to keep the sandbox
 * workers fed: at most `width` items in flight, each claimed in source order the moment a slot
 * frees, so a slow sample never holds back the ones behind it.
 *
 * The hand-written loops it replaces (`Promise.all` over `while (next < n)` workers) let the other
 * workers go on claiming items after one had thrown, and rejected while they still ran: a caller's
 * `finally` then closed the sandbox pool under samples still in flight. Here a throw stops the
 * claiming, the items already in flight finish, and only then does the first error come out.
 */

export interface BoundedOptions {
  /** Stop claiming new items once aborted; items in flight still finish. */
  signal?: AbortSignal;
}

/**
 * Calls `work(item, index)` for every item of `source` (an array, any iterable, or an async
 * iterable such as a queue that waits for items), at most `width` at a time; `index` counts items
 * in the order they were claimed. Resolves when the source is exhausted (or aborted) and every
 * started call has settled; rejects with the first error after that.
 */
export async function forEachBounded<T>(
  source: Iterable<T> | AsyncIterable<T>,
  width: number,
  work: (item: T, index: number) => Promise<void>,
  opts: BoundedOptions = {},
): Promise<void> {
  const iterator: Iterator<T> | AsyncIterator<T> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let claimed = 0;
  let active = 0;
  let failed = false;
  let firstError: unknown;
  let failedAndIdle!: () => void;
  // Settles once an error has happened and no call is running any more. Lanes still waiting on the
  // source (a queue that fills as generation goes on) are not waited for: they see the failure
  // when their item comes, and leave it unstarted.
  const stopped = new Promise<void>((resolve) => (failedAndIdle = resolve));
  const fail = (err: unknown) => {
    if (!failed) firstError = err;
    failed = true;
    if (active === 0) failedAndIdle();
  };
  // An async iterator is asked for one item at a time: two pending next() calls on a
  // hand-written iterator (not a generator) could hand out the same item.
  let pulling: Promise<unknown> = Promise.resolve();
  const claim = async (): Promise<IteratorResult<T> | undefined> => {
    const turn = pulling.then(async () => (failed || opts.signal?.aborted ? undefined : await iterator.next()));
    pulling = turn.catch(() => undefined);
    return turn;
  };
  const lane = async () => {
    for (;;) {
      let step: IteratorResult<T> | undefined;
      try {
        step = await claim();
      } catch (err) {
        fail(err);
        return;
      }
      // An abort or a failure while this lane waited on the source: the item is left unstarted,
      // as a caller that checks the signal between items would leave it.
      if (step === undefined || step.done || failed || opts.signal?.aborted) return;
      const index = claimed++;
      active++;
      try {
        await work(step.value, index);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      } finally {
        active--;
      }
      if (failed) {
        if (active === 0) failedAndIdle();
        return;
      }
    }
  };
  await Promise.race([Promise.all(Array.from({ length: Math.max(1, Math.floor(width)) }, lane)), stopped]);
  if (failed) {
    // Let a generator run its `finally` (a queue's clean-up) once no lane asks it again.
    void Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => undefined);
    throw firstError;
  }
}
