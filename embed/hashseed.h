/* hashseed — which PYTHONHASHSEED this process hashes with, told from the
 * hash secret in memory rather than from what the runner was asked for.
 *
 * At start CPython fills its str/bytes hash secret (_Py_HashSecret, 24
 * bytes) from the seed: zeros for seed 0; for any other fixed seed, bytes of
 * a linear congruential generator started at the seed (lcg_urandom in
 * Python/bootstrap_hash.c, 3.11 to 3.13, checked against each runtime of
 * this machine with ctypes); from the OS's random source without one. So the
 * secret says whether a given seed is in effect.
 */
#ifndef GILLAB_HASHSEED_H
#define GILLAB_HASHSEED_H

/* 1 when this process's hash secret is the one seed (0 .. 4294967295)
 * gives, else 0. The interpreter must have started. */
int hashseed_in_effect(unsigned long seed);

#endif
