/* A shared object that does nothing, preloaded by e2e_probe_cli.sh in
 * place of the probe library (GILLAB_PROBE_LIBRARY): gillab probe's
 * handling of the command (exit status, signals, --duration, LD_PRELOAD)
 * does not need anything measured. Built twice, as two libraries, so the
 * test can tell the probe's from a user's own LD_PRELOAD. */
int probe_noop_loaded(void);
int probe_noop_loaded(void) {
  return 1;
}
