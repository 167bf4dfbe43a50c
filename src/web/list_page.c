/* list_page: shared URL and option building of the list pages; no page-specific filters. */
#include "web/list_page.h"
#include "core/buf.h"
#include "core/str.h"
#include <string.h>

const char *list_page_query(Arena *a, int n, const char *const names[],
                            const char *const values[], const char *const defaults[])
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++)
        if (!str_eq(values[i], defaults[i]))
            buf_printf(&b, "%s=%s&", names[i], str_url_encode(a, values[i]));
    return buf_cstr(&b);
}

const char *list_page_url(Arena *a, const char *path, const char *query)
{
    size_t n = strlen(query);
    return n ? arena_printf(a, "%s?%.*s", path, (int)(n - 1), query) : path;
}

void list_page_pager(Arena *a, View *v, const char *path, const char *query,
                     const char *next_cursor, const char *prev_cursor, bool paged)
{
    if (next_cursor)
        view_set(v, "next_url", arena_printf(a, "%s?%safter=%s", path, query, next_cursor));
    if (prev_cursor)
        view_set(v, "prev_url", arena_printf(a, "%s?%sbefore=%s", path, query, prev_cursor));
    if (paged)
        view_set(v, "first_url", list_page_url(a, path, query));
    view_set_bool(v, "has_pager", next_cursor || prev_cursor || paged);
}

void list_page_choice(View *v, const char *list, const char *value, const char *label,
                      const char *current)
{
    /* selected: any non-empty text is true for {{#selected}} */
    const ViewField fields[] = {
        {"value", value}, {"label", label}, {"selected", str_eq(value, current) ? "1" : ""}};
    view_list_add_refs(v, list, fields, (int)(sizeof fields / sizeof fields[0]));
}
