/**
 * Runs work for one key at a time within this process, in arrival order; different keys run in parallel.
 * Where S3 itself refuses lost updates (conditional writes) no lock across processes is needed, but writes
 * to the same entity through one process still apply to the listing copy in the order S3 took them.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<R>(key: string, work: () => Promise<R>): Promise<R> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The map holds only keys with work queued or running: it does not grow with the bucket.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
