/* dispatch: what happens to a well-formed request - app->before, the router, the handler -
 * and how every failure becomes the app's error page. A handler that leaves the status at 0
 * is a bug: the client gets a 500 page, the log gets a line, the server keeps serving. */
#include "core/log.h"
#include "http/exchange.h"

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "";
    }
}

void exchange_error(Exchange *ex, const ServerApp *app, int status)
{
    Response *res = &ex->res;
    res->status = status;
    res->content_type = NULL;
    res->raw = NULL;
    res->raw_len = 0;
    res->no_compress = false;
    buf_clear(&res->body);
    if (app && app->error_page)
        app->error_page(&ex->req, res, status);
    if (res->status == 0)
        res->status = status;
    if (res->body.len == 0 && !res->raw) {
        res->content_type = "text/plain; charset=utf-8";
        buf_printf(&res->body, "%d %s\n", status, http_reason(status));
    }
}

RouteMatch exchange_route(Exchange *ex, const ServerApp *app)
{
    static const Route NO_ROUTES[] = {{0}};
    if (!ex->routed) {
        ex->route = NULL;
        ex->allow = NULL;
        ex->route_match =
            router_match(app->routes ? app->routes : NO_ROUTES, &ex->req, &ex->route, &ex->allow);
        ex->routed = true;
    }
    return ex->route_match;
}

/* before(), the route and its handler or the error page */
static void dispatch_steps(Exchange *ex, const ServerApp *app)
{
    Request *req = &ex->req;
    Response *res = &ex->res;
    if (app->before && !app->before(req, res)) {
        if (res->status == 0) {
            log_error("event=bug reason=before_without_status");
            res->headers = NULL;
            exchange_error(ex, app, 500);
        }
        return;
    }
    RouteMatch match = exchange_route(ex, app);
    const Route *route = ex->route;
    const char *allow = ex->allow;
    switch (match) {
    case ROUTE_NOT_FOUND:
        exchange_error(ex, app, 404);
        return;
    case ROUTE_METHOD_NOT_ALLOWED:
        exchange_error(ex, app, 405);
        response_header(res, req, "Allow", allow);
        return;
    case ROUTE_FOUND:
        break;
    }
    route->handler(req, res);
    if (res->status < 100 || res->status > 599) {
        log_error("event=bug reason=handler_status status=%d pattern=%s", res->status,
                  route->pattern);
        res->headers = NULL; /* what a broken handler set is not to be trusted */
        exchange_error(ex, app, 500);
    } else if (res->status >= 400 && res->body.len == 0 && !res->raw) {
        exchange_error(ex, app, res->status); /* "return a status": the page comes here */
    }
}

void exchange_dispatch(Exchange *ex, const ServerApp *app)
{
    dispatch_steps(ex, app);
    if (app->after)
        app->after(&ex->req);
}
