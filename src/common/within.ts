/**
 * `promise`'s value if it settles within `ms`, else `orElse()` then (read at that moment). The promise itself
 * goes on; only the waiting stops. The timer never keeps the process up by itself (unref'd) and is cleared
 * either way.
 */
export async function within<T, F>(promise: Promise<T>, ms: number, orElse: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(orElse()), ms).unref();
  });
  try {
    return await Promise.race([promise, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
