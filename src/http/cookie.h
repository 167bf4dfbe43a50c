/* cookie: parses the Cookie request header and checks names and values before they go into
 * a Set-Cookie header. Pure functions; cookie values are opaque (never percent-decoded).
 * SECURITY: a name or value that could split or extend a Set-Cookie header is refused. */
#ifndef PFORTE_HTTP_COOKIE_H
#define PFORTE_HTTP_COOKIE_H
#include "core/arena.h"
#include "http/request.h"
#include <stdbool.h>

/* Most cookies taken from one Cookie header; the rest is ignored. */
#define COOKIE_MAX_COUNT 64

/* Parses "a=1; b=\"2\"" into a list in header order (first occurrence first). Pairs without
 * '=' or with an empty name are skipped; surrounding spaces and one pair of double quotes
 * around the value are removed. NULL header gives NULL. Never fails. */
Param *cookie_parse(Arena *a, const char *header);

/* True when name is an RFC 6265 token (letters, digits, !#$%&'*+-.^_`|~), non-empty. */
bool cookie_name_valid(const char *name);
/* True when value holds only cookie-octets: no control characters, whitespace, '"', ',',
 * ';' or '\\' (the empty value is valid). */
bool cookie_value_valid(const char *value);

#endif
