// OpenSSL's libcrypto (Debian's libssl-dev, pkg-config: libcrypto): HMAC for TSIG, SHA-256 for DHCID.
#include <openssl/evp.h>
#include <openssl/hmac.h>
