#ifndef KIOSK_CLIBCRYPTO_SHIM_H
#define KIOSK_CLIBCRYPTO_SHIM_H
/* OpenSSL's libcrypto: PBKDF2-HMAC-SHA256 for PIN hashes in the old form, SHA-256, HMAC and a
   constant-time comparison. Opened at first use (dlopen), not linked: only the old PIN form
   needs it (new hashes are yescrypt, from libxcrypt), and linked it was mapped and relocated at
   every start before the first frame (about 4,000 symbol relocations, 1.4 MB resident).
   The names below are the only libcrypto functions the kiosk uses. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef struct {
    int loaded;
    const EVP_MD *(*sha256)(void);
    int (*pbkdf2)(const char *pass, int passlen, const unsigned char *salt, int saltlen, int iter,
                  const EVP_MD *digest, int keylen, unsigned char *out);
    int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl);
    unsigned char *(*hmac)(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *data, size_t data_len,
                           unsigned char *md, unsigned int *md_len);
    int (*memcmp)(const void *a, const void *b, size_t len);
} kiosk_crypto_api;

/* One table per translation unit (a static inline function's static variable), loaded once
   under pthread_once; dlopen gives every unit the same library. */
static inline kiosk_crypto_api *kiosk_crypto_table(void) {
    static kiosk_crypto_api api;
    return &api;
}
static inline void kiosk_crypto_load(void) {
    kiosk_crypto_api *api = kiosk_crypto_table();
    void *lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "libcrypto.so.3 cannot be loaded (%s): PINs stored in the old pbkdf2-sha256 form cannot be checked; install libssl3 (apt install libssl3)\n", dlerror());
        return;
    }
    *(void **)&api->sha256 = dlsym(lib, "EVP_sha256");
    *(void **)&api->pbkdf2 = dlsym(lib, "PKCS5_PBKDF2_HMAC");
    *(void **)&api->digest = dlsym(lib, "EVP_Digest");
    *(void **)&api->hmac = dlsym(lib, "HMAC");
    *(void **)&api->memcmp = dlsym(lib, "CRYPTO_memcmp");
    api->loaded = api->sha256 && api->pbkdf2 && api->digest && api->hmac && api->memcmp;
    if (!api->loaded) fprintf(stderr, "libcrypto.so.3 lacks a function the kiosk needs: PINs stored in the old pbkdf2-sha256 form cannot be checked; install OpenSSL 3's libssl3\n");
}
static inline const kiosk_crypto_api *kiosk_crypto(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, kiosk_crypto_load);
    return kiosk_crypto_table()->loaded ? kiosk_crypto_table() : NULL;
}

/* As the libcrypto functions of the same name (with EVP_sha256() as the digest), or the failure
   value when libcrypto cannot be loaded (said once on stderr). */
static inline int kiosk_pbkdf2_hmac_sha256(const char *pass, int passlen, const unsigned char *salt, int saltlen, int iter,
                                           int keylen, unsigned char *out) {
    const kiosk_crypto_api *api = kiosk_crypto();
    return api ? api->pbkdf2(pass, passlen, salt, saltlen, iter, api->sha256(), keylen, out) : 0;
}
static inline int kiosk_sha256_digest(const void *data, size_t count, unsigned char *md, unsigned int *size) {
    const kiosk_crypto_api *api = kiosk_crypto();
    return api ? api->digest(data, count, md, size, api->sha256(), NULL) : 0;
}
static inline unsigned char *kiosk_hmac_sha256(const void *key, int key_len, const unsigned char *data, size_t data_len,
                                               unsigned char *md, unsigned int *md_len) {
    const kiosk_crypto_api *api = kiosk_crypto();
    return api ? api->hmac(api->sha256(), key, key_len, data, data_len, md, md_len) : NULL;
}
/* Nonzero (unequal) when libcrypto cannot be loaded: nothing verifies without it. */
static inline int kiosk_crypto_memcmp(const void *a, const void *b, size_t len) {
    const kiosk_crypto_api *api = kiosk_crypto();
    return api ? api->memcmp(a, b, len) : 1;
}
#endif
