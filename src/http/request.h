/* request: what a handler sees of one HTTP request and how it answers. No libmicrohttpd types
 * leak out of src/http; handlers in portal/desk/api use only this header and router.h. */
#ifndef PFORTE_HTTP_REQUEST_H
#define PFORTE_HTTP_REQUEST_H
#include "core/arena.h"
#include "core/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Param {
    const char *name;
    const char *value;
    struct Param *next;
} Param;

/* One uploaded file of a multipart/form-data body (bytes kept in the arena). */
typedef struct UploadedFile {
    const char *field;        /* form field name */
    const char *filename;     /* as sent by the browser, not sanitised */
    const char *content_type; /* as sent, may be NULL */
    const unsigned char *data;
    size_t size;
    struct UploadedFile *next;
} UploadedFile;

typedef struct Header {
    const char *name;
    const char *value;
    struct Header *next;
} Header;

#define ROUTE_MAX_PARAMS 4

typedef struct Request {
    Arena *arena;           /* everything below lives here, freed after the response */
    uint64_t id;            /* request id, also in every log line */
    const char *method;     /* "GET", "POST", ... */
    const char *path;       /* decoded path without the query string */
    const char *client_ip;  /* peer address as text */
    Param *query;           /* decoded query parameters, in order */
    Param *form;            /* urlencoded or multipart text fields, in order */
    UploadedFile *files;    /* multipart files, in order */
    Param *cookies;
    const char *route_names[ROUTE_MAX_PARAMS]; /* filled by the router: /requests/{key} */
    const char *route_values[ROUTE_MAX_PARAMS];
    int route_count;
    const char *lang;       /* "de" or "en", decided before the handler runs */
    void *conn;             /* opaque to handlers */
    void *user;             /* set by the auth layer for signed-in requests */
    const char *csrf_token; /* the token this request's forms carry (session or pre-session) */
    const char *user_name;  /* display name of the signed-in user, for the layout */
    const char *user_role;  /* customer | agent | admin when signed in */
    const char *flash;      /* one-time message (English msgid) shown by the layout */
    /* added by src/http: */
    const char *raw_path;   /* path as sent, still percent-encoded; the router matches it
                               (NULL: the router uses path) */
    Header *headers;        /* request headers in order; read them with request_header */
    const char *body;       /* raw body of a request that is neither urlencoded nor
                               multipart (JSON), NUL-terminated; NULL when there is none */
    size_t body_len;
} Request;

typedef struct Response {
    int status;               /* 0 until the handler answers; left 0 it becomes a 500 */
    const char *content_type; /* default "text/html; charset=utf-8" */
    Buf body;                 /* arena-backed */
    Header *headers;          /* extra headers (Set-Cookie, Location, Cache-Control, ...) */
    const unsigned char *raw; /* when set, sent instead of body (static files); must stay
                                 valid until the response is sent: static data or the
                                 request arena */
    size_t raw_len;
    bool no_compress;         /* never gzip (downloads, already compressed data) */
} Response;

/* Prepares an empty request / a response with status 0 and an empty body in arena a (the
 * server does this; tests of other modules build requests with them). */
void request_init(Request *req, Arena *a);
void response_init(Response *res, Arena *a);

/* Returns the request header (case-insensitive name) or NULL. */
const char *request_header(Request *req, const char *name);
const char *request_query(Request *req, const char *name);
const char *request_form(Request *req, const char *name);   /* first value or NULL */
const char *request_cookie(Request *req, const char *name);
const char *request_param(Request *req, const char *name);  /* route parameter */
/* First uploaded file of field name, or NULL. */
const UploadedFile *request_file(Request *req, const char *name);

/* Adds a response header (copied into req's arena). A name that is not a token or a value
 * with CR, LF or other control characters is dropped and logged as a bug. */
void response_header(Response *res, Request *req, const char *name, const char *value);
/* Adds a Set-Cookie: path=/, HttpOnly, SameSite=Lax, Secure when base_url is https.
 * max_age < 0 = session cookie, 0 = delete. A name or value that is not RFC 6265 safe (see
 * cookie_value_valid in http/cookie.h) is not sent and is logged as a bug. */
void response_cookie(Response *res, Request *req, const char *name, const char *value,
                     int64_t max_age);
/* 303 See Other to a local path (must start with '/'; anything else goes to "/"). */
void response_redirect(Response *res, Request *req, const char *location);
/* Replaces the body with text; content_type NULL means "text/plain; charset=utf-8". */
void response_text(Response *res, int status, const char *content_type, const char *text);

#endif
