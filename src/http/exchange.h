/* exchange: one request/response pair on its way through the server - the state the
 * libmicrohttpd callbacks in server.c share between calls - and the MHD-free steps that
 * work on it (head.c, body.c, dispatch.c, respond.c). Internal to src/http. */
#ifndef PFORTE_HTTP_EXCHANGE_H
#define PFORTE_HTTP_EXCHANGE_H
#include "http/multipart.h"
#include "http/server.h"
#include <stdbool.h>
#include <stdint.h>

/* A body over its limit (or a malformed one) is read and thrown away up to this many bytes
 * past the limit so the client gets its 413/400; beyond it the connection is dropped. */
#define BODY_DRAIN_MAX (1024 * 1024)

typedef enum { BODY_NONE, BODY_FORM, BODY_MULTIPART, BODY_OTHER } BodyKind;

typedef struct Exchange {
    Arena *arena;
    Request req;
    Response res;
    double started_ms;
    const char *raw_uri;  /* request target as received ("/a%20b?x=1") */
    const char *log_path; /* raw path made safe for a log line, without the query */
    int calls;            /* access handler calls so far */
    int status;           /* error found while reading (400, 413, 414, 431); 0 = none */
    BodyKind body_kind;
    bool has_body;          /* Content-Length > 0 or chunked */
    int64_t content_length; /* -1 when not sent */
    int64_t body_limit;
    uint64_t body_received;
    Buf body; /* urlencoded and other bodies */
    MultipartParser *multipart;
    bool answered; /* a response was queued */
    bool dispatched; /* the handler ran on the offload pool; the response waits to be sent */
    int status_sent;
    size_t bytes_sent;
    bool routed; /* the route fields below hold exchange_route's answer */
    RouteMatch route_match;
    const Route *route;
    const char *allow;
} Exchange;

/* An outgoing response as libmicrohttpd needs it: status, body and every header besides
 * Content-Length and Date (which libmicrohttpd writes). */
typedef struct Outgoing {
    int status;
    const unsigned char *body;
    size_t len;
    Header *headers;
} Outgoing;

/* head.c: a new exchange in a for the request target raw_uri. */
Exchange *exchange_new(Arena *a, uint64_t id, const char *raw_uri);
/* Appends one request header (strings are kept by reference). */
void exchange_add_header(Exchange *ex, const char *name, const char *value);
/* Checks the head against opt's limits and fills path, query and cookies and prepares the
 * body reader. Returns 0, or the error status to answer (400, 413, 414, 431). */
int exchange_read_head(Exchange *ex, const ServerOptions *opt, const char *version);

/* body.c: feeds body bytes; false when the connection must be dropped (a body far over its
 * limit). Errors are kept in ex->status. */
bool exchange_body_feed(Exchange *ex, const char *data, size_t n);
/* The body is complete: parses the form, or sets ex->status to 400. */
void exchange_body_end(Exchange *ex);

/* dispatch.c: runs app->before, the router and the handler; res ends up complete. A
 * handler that sets only an error status (>= 400, empty body) gets the app's error page. */
void exchange_dispatch(Exchange *ex, const ServerApp *app);
/* The request's route (router_match), looked up once: the server asks where the route runs
 * before dispatching it, and the dispatch reuses the answer. */
RouteMatch exchange_route(Exchange *ex, const ServerApp *app);
/* Replaces the response body with the app's error page for status (headers are kept). */
void exchange_error(Exchange *ex, const ServerApp *app, int status);

/* respond.c: final headers (security, caching, gzip). closing adds "Connection: close". */
void exchange_prepare(Exchange *ex, bool closing, Outgoing *out);
/* A status line reason ("Not Found"), or "" for unknown codes. */
const char *http_reason(int status);

#endif
