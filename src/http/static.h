/* static: the files under static/ (compiled in, or read from disk with --dev), served at
 * /static/ with content-hashed URLs so browsers may cache them for a year. */
#ifndef PFORTE_HTTP_STATIC_H
#define PFORTE_HTTP_STATIC_H
#include "http/request.h"

/* The URL of static/<name> with the first 8 hex digits of its SHA-256 in the name:
 * static_url("app.css") -> "/static/app.3f2a9c1d.css". The string lives as long as the
 * process. Computed once per file (every call in --dev mode); thread-safe. An unknown name
 * gets "/static/<name>" and a warning in the log. */
const char *static_url(const char *name);

/* Handler for "GET /static/{file}". Serves hashed names (immutable, cached a year when the
 * hash is current, revalidated when it is stale) and plain names (revalidated), with
 * Content-Type by extension, an ETag, 304 for a matching If-None-Match and a gzip copy
 * prepared once for compressible files. Unknown files and types are 404. */
void static_handle(Request *req, Response *res);

#endif
