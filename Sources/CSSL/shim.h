// OpenSSL's libssl (Debian's libssl-dev, pkg-config: libssl): TLS for the control agent and
// kakapo-shell, so that the host's OpenSSL configuration and policies apply as they do for Kea.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
