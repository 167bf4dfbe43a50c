/* fuzz_urlencoded: libFuzzer target for the urlencoded form parser and, on the same bytes,
 * the Cookie header parser and the router's path matching. Refusals are fine; crashes,
 * reads past the input, leaks and sanitizer reports are not. Parsed values must be clean
 * UTF-8 text without NUL bytes, as the parser promises. */
#include "core/arena.h"
#include "core/str.h"
#include "http/cookie.h"
#include "http/form.h"
#include "http/router.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_handler(Request *req, Response *res) {}

static const Route FUZZ_ROUTES[] = {
    {"GET", "/", fuzz_handler},
    {"GET", "/requests/{key}", fuzz_handler},
    {"POST", "/requests/{key}/comments/{id}", fuzz_handler},
    {"GET", "/static/{file}", fuzz_handler},
    {0, 0, 0},
};

static void check_params(const Param *p)
{
    for (; p; p = p->next)
        if (!*p->name || !str_utf8_valid(p->name, strlen(p->name)) ||
            !str_utf8_valid(p->value, strlen(p->value)))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 0);
    /* exact length: the parser must not look past it (ASan sees the heap copy's end) */
    char *exact = malloc(size ? size : 1);
    memcpy(exact, data, size);
    ParamList list;
    param_list_init(&list);
    if (form_parse_urlencoded(&a, exact, size, &list))
        check_params(list.head);
    free(exact);

    char *text = arena_strndup(&a, (const char *)data, size);
    for (const Param *c = cookie_parse(&a, text); c; c = c->next)
        if (!*c->name)
            abort();

    Request req;
    request_init(&req, &a);
    req.method = size && data[0] & 1 ? "POST" : "GET";
    req.raw_path = text;
    const Route *found;
    const char *allow;
    if (router_match(FUZZ_ROUTES, &req, &found, &allow) == ROUTE_FOUND)
        for (int i = 0; i < req.route_count; i++)
            if (!*req.route_values[i])
                abort();
    arena_free(&a);
    return 0;
}
