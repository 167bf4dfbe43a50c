/* server: runs libmicrohttpd (thread pool, epoll; the main thread accepts and spreads the
 * connections over the workers) and turns each connection's request into a Request/Response
 * pair for the application. The only file that includes microhttpd.h. */
#ifndef PFORTE_HTTP_SERVER_H
#define PFORTE_HTTP_SERVER_H
#include "http/router.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct ServerApp {
    const Route *routes;
    /* Runs before routing (language, session); returns false when it already answered. */
    bool (*before)(Request *req, Response *res);
    /* Renders an error page for status (400, 404, 405, 413, 414, 431, 500, 503) into res.
     * res->status is already set. For 400/413/414/431 the request was refused before
     * before() ran: req->lang and req->user are NULL, and path may be just "/". Also called
     * when a handler sets a status >= 400 and leaves the body empty. */
    void (*error_page)(Request *req, Response *res, int status);
    /* Called once in each worker thread that served a request, in that thread, when it
     * ends at shutdown (close its database connection). May be NULL. */
    void (*thread_exit)(void);
    /* Runs once after every request that before() saw, on the same thread, when the handler
     * or the error page is done (before the answer is sent). May be NULL. */
    void (*after)(Request *req);
} ServerApp;

typedef struct ServerOptions {
    const char *listen;          /* "127.0.0.1:8080" or "[::1]:8080" */
    int threads;                 /* >= 1 */
    int64_t max_header_bytes;
    int64_t max_url_bytes;
    int64_t max_form_bytes;      /* urlencoded bodies */
    int64_t max_upload_bytes;    /* multipart bodies */
    int connection_timeout;      /* seconds idle */
    int max_client_connections;  /* open at once; more wait in the listen backlog */
    const char *trusted_proxies; /* "127.0.0.1,::1": peers whose X-Forwarded-For is believed */
    int hash_workers;            /* threads for RUN_HASHING routes and */
    int write_workers;           /* for RUN_WRITING routes; their connections are suspended
                                    meanwhile, so the HTTP workers stay free; 0: the routes
                                    run on the HTTP workers */
} ServerOptions;

/* Starts serving and blocks until SIGTERM/SIGINT; then stops accepting, lets in-flight
 * requests finish (up to 10 s; a second signal cuts the wait short) and returns 0. Returns
 * 1 when the address cannot be parsed or bound (logged). Installs SIGTERM/SIGINT handlers
 * for its duration (restored on return); prints nothing but log lines. */
int server_run(const ServerOptions *opt, const ServerApp *app);

#endif
