/* parkprobe — time a thread spends parked on a semaphore, for the probe
 * library (gillab probe).
 *
 * On Linux, CPython's own locks block on POSIX semaphores: threading.Lock
 * and the PyThread locks in every build (sem_clockwait, sem_timedwait,
 * sem_wait), and in free-threaded builds also every PyMutex and
 * per-object lock that has to wait, through the parking lot
 * (_PySemaphore_Wait). The library defines those three functions; a call
 * that would block (sem_trywait fails) is timed and counted for the calling
 * thread with gilprobe_park; the rest forward untouched. Not linked into the
 * runners.
 */
#ifndef GILLAB_PARKPROBE_H
#define GILLAB_PARKPROBE_H

/* Stops (0) or resumes (1) counting parks. */
void parkprobe_set_enabled(int on);

#endif
