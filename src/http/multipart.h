/* multipart: incremental multipart/form-data parser (RFC 7578 / RFC 2046). Fed the body in
 * chunks of any size, it files text fields as Params and files as UploadedFiles, all in the
 * request arena. It never reads outside the bytes it was given, and malformed input is an
 * error (the server answers 400), never a guess. */
#ifndef PFORTE_HTTP_MULTIPART_H
#define PFORTE_HTTP_MULTIPART_H
#include "core/arena.h"
#include "http/request.h"
#include <stdbool.h>
#include <stddef.h>

#define MULTIPART_MAX_BOUNDARY 70       /* RFC 2046 */
#define MULTIPART_MAX_HEADER_BYTES 8192 /* one part's header block, CRLFs included */

typedef struct MultipartParser MultipartParser;

/* Returns the boundary parameter of a "multipart/form-data; boundary=..." Content-Type
 * (quotes removed) in a, or NULL when the type is another one or the boundary is missing or
 * not 1-70 RFC 2046 characters. */
const char *multipart_boundary(Arena *a, const char *content_type);

/* Starts a parser whose memory all lives in a. size_hint is the body's Content-Length when
 * known (0 = unknown); it only sizes buffers so a large file is not copied while it grows.
 * Returns NULL when boundary is not a valid RFC 2046 boundary. */
MultipartParser *multipart_new(Arena *a, const char *boundary, size_t size_hint);
/* Feeds the next n bytes. Returns false once the body is known to be malformed; later
 * feeds are then ignored. Bytes after the closing boundary (the epilogue) are ignored. */
bool multipart_feed(MultipartParser *p, const char *data, size_t n);
/* Ends the body: true when the closing boundary was seen and nothing was malformed. */
bool multipart_finish(MultipartParser *p);
/* Short reason for the log when feed or finish failed ("part headers too large"), else NULL. */
const char *multipart_error(const MultipartParser *p);

/* Text fields in body order: values are NUL-terminated, valid UTF-8, without NUL bytes. */
Param *multipart_fields(const MultipartParser *p);
/* File parts (those with a filename) in body order; a part with an empty filename and no
 * data (a file input left empty) is skipped. Data is NUL-terminated for convenience. */
UploadedFile *multipart_files(const MultipartParser *p);

#endif
