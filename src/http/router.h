/* router: method + path pattern -> handler. Patterns are literal segments and {name}
 * parameters ("/requests/{key}/comments"). A path that matches no pattern is 404; one that
 * matches with another method is 405 with an Allow header. */
#ifndef PFORTE_HTTP_ROUTER_H
#define PFORTE_HTTP_ROUTER_H
#include "http/request.h"

typedef void (*Handler)(Request *req, Response *res);

typedef struct Route {
    const char *method;  /* "GET" also answers HEAD */
    const char *pattern;
    Handler handler;
    bool slow;           /* runs on the offload pool (password hashing): see server.h */
} Route;

typedef enum { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED } RouteMatch;

/* Finds the route for method+path in a table ended by {0}; fills req->route_* on success.
 * On 405, *allow receives the allowed methods ("GET, POST") in req's arena. */
RouteMatch router_match(const Route *routes, Request *req, const Route **found,
                        const char **allow);

#endif
