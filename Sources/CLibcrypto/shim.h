#ifndef KIOSK_CLIBCRYPTO_SHIM_H
#define KIOSK_CLIBCRYPTO_SHIM_H
/* OpenSSL's libcrypto: PBKDF2-HMAC-SHA256 for PIN hashes in the old form, SHA-256, HMAC and a
   constant-time comparison. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
