// OpenSSL's libssl (Debian's libssl-dev, pkg-config: libssl): TLS for the control agent and
// kakapo-shell, so that the host's OpenSSL configuration and policies apply as they do for Kea.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

// Macros Swift cannot import (OpenSSL 3 builds these from casts and shifts), as functions.
static inline uint64_t kk_ssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline int kk_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int kk_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
