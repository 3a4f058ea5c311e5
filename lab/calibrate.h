/* calibrate — `gillab calibrate`: the GIL probe against experiments with
 * known answers, and the probe's cost.
 *
 * Experiments: (a) hold_gil: one thread holds the GIL in C for known spans
 * while another wants to run Python; its measured wait against the time
 * held. (b) cpu_bound_N_threads: each of N CPU-bound threads must wait
 * (N-1)/N of its span (and the GIL is held all the time). (c)
 * sleepers_4_threads: threads that sleep with the GIL released wait about
 * nothing. Cost: cpu.primes with the probe on and off, with 1 and with 4
 * contended threads, as the median of interleaved pairs of phases run in
 * one process; with instructions set, also in instructions executed, counted
 * under valgrind (the VMs have no hardware counters, and wall-clock pairs
 * there scatter far more than the budgets).
 */
#ifndef GILLAB_CALIBRATE_H
#define GILLAB_CALIBRATE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
  const char *runtime; /* runtime tag */
  unsigned pairs;      /* on/off pairs for the cost (>= 1) */
  double size;         /* scales cpu.primes' work */
  int quiet;           /* no progress on stderr */
  /* Also count the cost in instructions: the overhead cells run once more
   * each with the probe off, on, and off again (the A/A control), every run
   * in a fresh runner under valgrind (cachegrind), which must be on PATH. */
  int instructions;
} calibrate_opts;

/* Runs everything. On success *out is a new object {"runtime",
 * "experiments": [{name, truth_s, measured_s, error_pct, basis}],
 * "overhead": [{name, ratio, pairs, q1, q3, control_ratio, control_q1,
 * control_q3, and with instructions: instr_units, instr_off, instr_on,
 * instr_off2, instr_ratio (on / off), instr_control_ratio (off2 / off),
 * instr_waits (the GIL waits counted in the run with the probe on),
 * instr_per_wait ((on - off) / waits, null without waits)}]} (the
 * control: the probe on on both sides); otherwise a negative code with
 * err. */
int calibrate_run(const calibrate_opts *o, cJSON **out, char *err,
                  size_t errlen);

/* The result as a table for people. */
void calibrate_print(const cJSON *result, FILE *f);

#endif
