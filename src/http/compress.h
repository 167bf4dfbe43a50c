/* compress: gzip for response bodies - when a client accepts it and which types are worth
 * it. Pure functions; output lives in the given arena. */
#ifndef PFORTE_HTTP_COMPRESS_H
#define PFORTE_HTTP_COMPRESS_H
#include "core/arena.h"
#include <stdbool.h>
#include <stddef.h>

/* Bodies smaller than this are sent as they are: gzip would not pay for its header. */
#define COMPRESS_MIN_BYTES 512

/* True when an Accept-Encoding value lists gzip (or x-gzip, or *) with a q-value above 0. */
bool compress_accepts_gzip(const char *accept_encoding);
/* True for text/(anything), application/json, application/javascript and image/svg+xml. */
bool compress_type_worth_it(const char *content_type);
/* Returns data gzip-compressed (RFC 1952) in a and its length in *out_len, or NULL when
 * zlib fails or the result would not be smaller. */
unsigned char *compress_gzip(Arena *a, const unsigned char *data, size_t len, size_t *out_len);

#endif
