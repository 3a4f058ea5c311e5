/* cpu.sha256, C twin of workloads/python/cpu_sha256.py.
 *
 * One operation hashes the operation's number (8 bytes, little-endian)
 * followed by a fixed 1 MiB buffer (byte k is k mod 256) with OpenSSL's
 * EVP SHA-256, the implementation hashlib uses on these builds; the answer
 * adds up the first 4 bytes of each digest, little-endian. The buffer is
 * filled once, by the first worker to need it (pthread_once), outside any
 * later operation's cost.
 */
#include "native.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>

#define BUF_SIZE (1u << 20)

static unsigned char buf[BUF_SIZE];
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;

static void buf_fill(void) {
  for (unsigned k = 0; k < BUF_SIZE; k++)
    buf[k] = (unsigned char)(k & 0xff);
}

int native_sha256(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen) {
  pthread_once(&buf_once, buf_fill);
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  uint64_t total = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx) {
    snprintf(err, errlen, "EVP_MD_CTX_new failed");
    return -ENOMEM;
  }
  for (uint64_t op = first; op < end; op++) {
    unsigned char prefix[8], digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    for (int k = 0; k < 8; k++)
      prefix[k] = (unsigned char)(op >> (8 * k));
    if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(ctx, prefix, sizeof prefix) ||
        !EVP_DigestUpdate(ctx, buf, BUF_SIZE) ||
        !EVP_DigestFinal_ex(ctx, digest, &len)) {
      EVP_MD_CTX_free(ctx);
      snprintf(err, errlen, "OpenSSL SHA-256 failed");
      return -EIO;
    }
    total += (uint64_t)digest[0] | (uint64_t)digest[1] << 8 |
             (uint64_t)digest[2] << 16 | (uint64_t)digest[3] << 24;
  }
  EVP_MD_CTX_free(ctx);
  out->ops = end - first;
  out->answer = total;
  return 0;
}
