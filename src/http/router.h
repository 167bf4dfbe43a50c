/* router: method + path pattern -> handler. Patterns are literal segments and {name}
 * parameters ("/requests/{key}/comments"). A path that matches no pattern is 404; one that
 * matches with another method is 405 with an Allow header. */
#ifndef PFORTE_HTTP_ROUTER_H
#define PFORTE_HTTP_ROUTER_H
#include "http/request.h"

typedef void (*Handler)(Request *req, Response *res);

/* Where a route's handler runs (see server.h). */
typedef enum {
    RUN_HTTP = 0, /* on the HTTP worker that read the request: quick pages */
    RUN_HASHING,  /* in the hashing pool: password hashes, CPU-heavy, a few at a time */
    RUN_WRITING,  /* in the writing pool: creating and changing requests, which wait for the
                     database's write turn and commit together */
} RouteRun;

typedef struct Route {
    const char *method;  /* "GET" also answers HEAD */
    const char *pattern;
    Handler handler;
    RouteRun run;
} Route;

typedef enum { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED } RouteMatch;

/* Finds the route for method+path in a table ended by {0}; fills req->route_* on success.
 * On 405, *allow receives the allowed methods ("GET, POST") in req's arena. */
RouteMatch router_match(const Route *routes, Request *req, const Route **found,
                        const char **allow);

#endif
