// libxcrypt's reentrant crypt interface (crypt_r, crypt_gensalt_rn) for Swift; bcrypt hashes
// ($2a$, $2b$, $2y$, $2x$) are verified with it.
#ifndef STARLING_CCRYPT_SHIM_H
#define STARLING_CCRYPT_SHIM_H
#include <crypt.h>
#endif
