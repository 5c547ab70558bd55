#ifndef KIOSK_CCRYPT_SHIM_H
#define KIOSK_CCRYPT_SHIM_H
/* libxcrypt (Debian's libcrypt1): crypt_r and crypt_gensalt_rn, for yescrypt secret hashes. */
#include <crypt.h>
#endif
