// libpq, PostgreSQL's client library, from Debian's libpq-dev (pkg-config: libpq).
#include <libpq-fe.h>
