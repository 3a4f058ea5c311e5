/* The GIL probe's interposer, on a GIL made of plain pthread objects: waits
 * are classified by the address of the cond and mutex they use; drop
 * requests, forced-switch waits and mutex contention are counted; a fork
 * child starts with empty counters. No interpreter is involved: the test
 * binary exports the wrappers (as the runner does) and calls the pthread
 * functions the way libpython's take_gil and drop_gil do.
 *
 * Timing bounds are generous (the VMs are noisy): a 20 ms timed wait must
 * count between 15 ms and 1 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gilprobe.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A stand-in for struct _gil_runtime_state. */
static struct {
  unsigned long interval;
  void *last_holder;
  int locked;
  unsigned long switch_number;
  pthread_cond_t cond, switch_cond;
  pthread_mutex_t mutex, switch_mutex;
} fake;

static pthread_cond_t other_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t other_mutex = PTHREAD_MUTEX_INITIALIZER;

static int setup(void **state) {
  (void)state;
  static int watched;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&fake.cond, &attr);
  pthread_cond_init(&fake.switch_cond, NULL);
  pthread_mutex_init(&fake.mutex, NULL);
  pthread_mutex_init(&fake.switch_mutex, NULL);
  fake.locked = 1;
  fake.switch_number = 7;
  if (!watched) {
    internal_gil_view v = {&fake,
                           &fake.cond,
                           &fake.mutex,
                           &fake.switch_cond,
                           &fake.switch_mutex,
                           &fake.locked,
                           &fake.switch_number,
                           &fake.last_holder,
                           NULL,
                           &fake.interval};
    watched = gilprobe__add(&v) == 0;
  }
  gilprobe_set_enabled(1);
  return watched ? 0 : -1;
}

/* As take_gil does: lock the GIL's mutex, wait on its cond until the
 * deadline, unlock. */
static int take_and_wait(pthread_cond_t *c, pthread_mutex_t *m, long ms) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += ms * 1000000L;
  deadline.tv_sec += deadline.tv_nsec / 1000000000L;
  deadline.tv_nsec %= 1000000000L;
  pthread_mutex_lock(m);
  int rc = pthread_cond_timedwait(c, m, &deadline);
  pthread_mutex_unlock(m);
  return rc;
}

static gilprobe_counts delta_of(const gilprobe_counts *before) {
  gilprobe_counts now;
  gilprobe_thread_snapshot(&now);
  gilprobe_counts_sub(&now, before);
  return now;
}

/* A timed wait on the GIL's cond that times out while the GIL stays held
 * and no switch happens: one contended acquisition of about the wait's
 * length, one timed wait, and a drop request. */
static void test_gil_wait_counted(void **state) {
  (void)state;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  assert_int_equal(take_and_wait(&fake.cond, &fake.mutex, 20), ETIMEDOUT);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.waits, 1);
  assert_int_equal(d.cond_waits, 1);
  assert_int_equal(d.drop_requests, 1);
  assert_true(d.wait_ns >= 15000000 && d.wait_ns < 1000000000);
  double p50 = gilprobe_percentile(&d, 0.5);
  assert_true(p50 >= 15e6 && p50 < 1e9);
}

/* A wait on some other cond and mutex is not the GIL's: nothing counted. */
static void test_other_cond_ignored(void **state) {
  (void)state;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  assert_int_equal(take_and_wait(&other_cond, &other_mutex, 5), ETIMEDOUT);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.waits, 0);
  assert_int_equal(d.cond_waits, 0);
  assert_int_equal(d.mutex_waits, 0);
}

/* A timeout after which the GIL is free, or after a switch, raises no drop
 * request: take_gil raises it only when the holder kept the GIL. */
static void test_no_drop_request_after_release(void **state) {
  (void)state;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  fake.locked = 0;
  take_and_wait(&fake.cond, &fake.mutex, 5);
  fake.locked = 1;
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.cond_waits, 1);
  assert_int_equal(d.drop_requests, 0);
}

/* Several timed waits within one take of the mutex are one acquisition. */
static void test_one_acquisition_many_waits(void **state) {
  (void)state;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  pthread_mutex_lock(&fake.mutex);
  for (int i = 0; i < 3; i++) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 5000000L;
    deadline.tv_sec += deadline.tv_nsec / 1000000000L;
    deadline.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&fake.cond, &fake.mutex, &deadline);
  }
  pthread_mutex_unlock(&fake.mutex);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.cond_waits, 3);
  assert_int_equal(d.waits, 1);
  assert_true(d.wait_ns >= 12000000);
}

static void *hold_mutex(void *arg) {
  (void)arg;
  pthread_mutex_lock(&fake.mutex);
  struct timespec t = {0, 30000000};
  nanosleep(&t, NULL);
  pthread_mutex_unlock(&fake.mutex);
  return NULL;
}

/* Locking the GIL's mutex while another thread holds it is contention of
 * about the time it is held. */
static void test_mutex_contention(void **state) {
  (void)state;
  pthread_t t;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  pthread_create(&t, NULL, hold_mutex, NULL);
  struct timespec settle = {0, 5000000};
  nanosleep(&settle, NULL);
  pthread_mutex_lock(&fake.mutex);
  pthread_mutex_unlock(&fake.mutex);
  pthread_join(t, NULL);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.mutex_waits, 1);
  assert_true(d.mutex_wait_ns >= 10000000 && d.mutex_wait_ns < 1000000000);
  assert_int_equal(d.waits, 0);
}

static void *signal_switch(void *arg) {
  (void)arg;
  struct timespec t = {0, 20000000};
  nanosleep(&t, NULL);
  pthread_mutex_lock(&fake.switch_mutex);
  pthread_cond_signal(&fake.switch_cond);
  pthread_mutex_unlock(&fake.switch_mutex);
  return NULL;
}

/* The dropping holder's wait on switch_cond is a forced-switch wait. */
static void test_switch_wait(void **state) {
  (void)state;
  pthread_t t;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  pthread_mutex_lock(&fake.switch_mutex);
  pthread_create(&t, NULL, signal_switch, NULL);
  pthread_cond_wait(&fake.switch_cond, &fake.switch_mutex);
  pthread_mutex_unlock(&fake.switch_mutex);
  pthread_join(t, NULL);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.switch_waits, 1);
  assert_true(d.switch_wait_ns >= 10000000);
}

/* With the probe off the wrappers only forward. */
static void test_disabled(void **state) {
  (void)state;
  gilprobe_counts before;
  gilprobe_thread_snapshot(&before);
  gilprobe_set_enabled(0);
  take_and_wait(&fake.cond, &fake.mutex, 5);
  gilprobe_set_enabled(1);
  gilprobe_counts d = delta_of(&before);
  assert_int_equal(d.cond_waits, 0);
  assert_int_equal(d.waits, 0);
}

/* A fork child starts with empty counters, and counts its own waits. */
static void test_fork_resets(void **state) {
  (void)state;
  take_and_wait(&fake.cond, &fake.mutex, 2); /* the parent has counts */
  gilprobe_counts parent;
  gilprobe_thread_snapshot(&parent);
  assert_true(parent.cond_waits > 0);
  pid_t pid = fork();
  if (pid == 0) {
    gilprobe_counts c;
    gilprobe_thread_snapshot(&c);
    int empty = c.cond_waits == 0 && c.waits == 0;
    take_and_wait(&fake.cond, &fake.mutex, 2);
    gilprobe_thread_snapshot(&c);
    _exit(empty && c.cond_waits == 1 ? 0 : 1);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

/* Percentiles are bucket upper edges, and the histogram is log-linear:
 * 8 buckets per power of two. */
static void test_percentiles(void **state) {
  (void)state;
  gilprobe_counts c;
  memset(&c, 0, sizeof c);
  assert_true(gilprobe_percentile(&c, 0.5) == 0);
  c.hist[1 + 12 * GILPROBE_SUB] = 99;    /* 2^22 ns = 4.19 ms .. 4.72 ms */
  c.hist[1 + 13 * GILPROBE_SUB + 4] = 1; /* 2^23 * 1.5 .. 2^23 * 1.625 ns */
  double p50 = gilprobe_percentile(&c, 0.5);
  assert_true(p50 > 4.19e6 && p50 <= 4.72e6);
  assert_true(gilprobe_percentile(&c, 0.99) == p50);
  assert_true(gilprobe_max(&c) > 1.36e7 && gilprobe_max(&c) < 1.37e7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_gil_wait_counted, setup),
      cmocka_unit_test_setup(test_other_cond_ignored, setup),
      cmocka_unit_test_setup(test_no_drop_request_after_release, setup),
      cmocka_unit_test_setup(test_one_acquisition_many_waits, setup),
      cmocka_unit_test_setup(test_mutex_contention, setup),
      cmocka_unit_test_setup(test_switch_wait, setup),
      cmocka_unit_test_setup(test_disabled, setup),
      cmocka_unit_test_setup(test_fork_resets, setup),
      cmocka_unit_test(test_percentiles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
