/* digest — see digest.h. */
#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int digest_file(const char *path, char hex[DIGEST_HEX_LEN], char *err,
                size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
    return -e;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
    ok = EVP_DigestUpdate(ctx, buf, n);
  int read_err = ferror(f);
  fclose(f);
  ok = ok && !read_err && EVP_DigestFinal_ex(ctx, md, &len) && len == 32;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    snprintf(err, errlen, "cannot hash %s%s", path,
             read_err ? ": read error" : "");
    return -EIO;
  }
  for (unsigned i = 0; i < len; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return 0;
}

int digest_bytes(const void *data, size_t len, char hex[DIGEST_HEX_LEN]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
    return -EIO;
  for (unsigned i = 0; i < mdlen; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return 0;
}
