/**
 * `promise`'s value if it settles within `ms`, else `orElse()` then (read at that moment). The promise itself
 * goes on; only the waiting stops. The timer is cleared either way, so nothing is left to keep the process up.
 */
export async function within<T, F>(promise: Promise<T>, ms: number, orElse: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(orElse()), ms);
  });
  try {
    return await Promise.race([promise, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
