/* digest — the SHA-256 of a file (OpenSSL's libcrypto), to name exactly
 * which bytes a user workload was: the orchestrator hashes the file it
 * inspected (the metadata record), the runner the C twin it loaded (the
 * cell record's applied); the Python file the runner imported is hashed by
 * the driver, from the bytes it ran (embed/python/gillab_drive.py). */
#ifndef GILLAB_DIGEST_H
#define GILLAB_DIGEST_H

#include <stddef.h>

/* Lowercase hex plus NUL. */
#define DIGEST_HEX_LEN 65

/* The SHA-256 of the file at path into hex (DIGEST_HEX_LEN bytes). Returns
 * 0, or a negative errno with err. */
int digest_file(const char *path, char hex[DIGEST_HEX_LEN], char *err,
                size_t errlen);

/* The SHA-256 of the len bytes at data into hex (DIGEST_HEX_LEN bytes),
 * e.g. a run's spec as JSON text, whose hash tells the shards of one run
 * (lab/shard.h). Returns 0, or -EIO when libcrypto fails. */
int digest_bytes(const void *data, size_t len, char hex[DIGEST_HEX_LEN]);

#endif
