/**
 * Preloaded with `--cpu-prof` runs: Node writes the profile only on a normal exit, but Nest answers SIGTERM
 * by closing the app and sending itself the signal again, which would kill the process before the write.
 * With this listener in place that second signal ends the process normally instead.
 */
let signals = 0;
process.on('SIGTERM', () => {
  if (++signals > 1) process.exit(0);
});
