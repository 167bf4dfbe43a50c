/* form: urlencoded parsing shared by request bodies and query strings. It never trusts the
 * input: every escape is checked, every value is valid UTF-8 without NUL bytes. */
#include "http/form.h"
#include "core/str.h"
#include <string.h>

void param_list_init(ParamList *list)
{
    list->head = NULL;
    list->tail = &list->head;
    list->count = 0;
}

void param_list_add(ParamList *list, Arena *a, const char *name, const char *value)
{
    Param *p = arena_alloc(a, sizeof *p);
    p->name = name;
    p->value = value;
    *list->tail = p;
    list->tail = &p->next;
    list->count++;
}

/* Decodes %XX and '+'; NULL for bad escapes and encoded NULs. Invalid UTF-8 is refused, or
 * replaced by U+FFFD when repair is set. */
static char *form_decode(Arena *a, const char *s, size_t n, bool repair)
{
    char *out = str_url_decode(a, s, n, true);
    if (!out)
        return NULL;
    size_t len = strlen(out);
    /* strlen stops at an encoded %00: a shorter result than the escapes allow means NUL */
    size_t escapes = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '%')
            escapes++;
    if (len != n - 2 * escapes)
        return NULL;
    if (str_utf8_valid(out, len))
        return out;
    return repair ? str_utf8_repair(a, out, len) : NULL;
}

char *form_decode_value(Arena *a, const char *s, size_t n)
{
    return form_decode(a, s, n, true);
}

char *form_decode_component(Arena *a, const char *s, size_t n)
{
    return form_decode(a, s, n, false);
}

static bool form_add_pair(Arena *a, const char *pair, size_t n, ParamList *list)
{
    const char *eq = memchr(pair, '=', n);
    size_t name_len = eq ? (size_t)(eq - pair) : n;
    char *name = form_decode_component(a, pair, name_len);
    if (!name)
        return false;
    const char *value = "";
    if (eq) {
        value = form_decode_value(a, eq + 1, n - name_len - 1);
        if (!value)
            return false;
    }
    if (!*name)
        return true; /* "=x": nothing to file it under */
    if (list->count >= FORM_MAX_FIELDS)
        return false;
    param_list_add(list, a, name, value);
    return true;
}

bool form_parse_urlencoded(Arena *a, const char *data, size_t len, ParamList *list)
{
    size_t start = 0;
    while (start < len) {
        const char *amp = memchr(data + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - data) : len;
        if (end > start && !form_add_pair(a, data + start, end - start, list))
            return false;
        start = end + 1;
    }
    return true;
}
