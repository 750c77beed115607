/**
 * Preloaded (`node -r`) into a gateway the bench profiles with `--cpu-prof`. Node writes the
 * profile only on a normal exit, and Nest's shutdown hooks end the process by re-raising the
 * signal, so the bench asks for the exit with SIGUSR2 instead. Bench-only; never in dist/.
 */
process.on('SIGUSR2', () => process.exit(0));
