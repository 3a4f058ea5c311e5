/* native — the C twins of the built-in workloads (workloads/native/NAME.c),
 * each the same unit of work as its Python module; see core/wl.h for the
 * signature (wl_native_fn) and the hooks. */
#ifndef GILLAB_NATIVE_H
#define GILLAB_NATIVE_H

#include "wl.h"

int native_primes(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen);
int native_echo(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen);
int native_convoy(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen);
extern const wl_native_hooks native_echo_hooks, native_convoy_hooks;
int native_nbody(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen);
int native_dicts(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen);
int native_sha256(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen);
int native_zlib(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen);
int native_sleep(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen);
int native_file(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen);
int native_file_prepare(char *err, size_t errlen);
void native_file_cleanup(void);
int native_spawn(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen);
int native_switch(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen);
extern const wl_native_hooks native_spawn_hooks, native_switch_hooks;
/* ipc.pipe, ipc.unix (socketpair), ipc.shm (shared memory and a futex):
 * workers in pairs, worker 2k producing for 2k+1 (native/ipc.c). */
int native_ipc_pipe(unsigned worker, unsigned nworkers, uint64_t units,
                    wl_result *out, char *err, size_t errlen);
int native_ipc_unix(unsigned worker, unsigned nworkers, uint64_t units,
                    wl_result *out, char *err, size_t errlen);
int native_ipc_shm(unsigned worker, unsigned nworkers, uint64_t units,
                   wl_result *out, char *err, size_t errlen);
extern const wl_native_hooks native_ipc_pipe_hooks, native_ipc_unix_hooks,
    native_ipc_shm_hooks;
int native_crash(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen);
int native_hang(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen);

#endif
