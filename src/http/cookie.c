/* cookie: Cookie header parsing and Set-Cookie validation (RFC 6265 section 4.1.1).
 * SECURITY: values are checked so a caller cannot inject attributes or headers. */
#include "http/cookie.h"
#include "http/form.h"
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void cookie_add(Arena *a, const char *s, size_t n, ParamList *list)
{
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return;
    size_t name_len = (size_t)(eq - s);
    while (name_len && is_space(s[name_len - 1]))
        name_len--;
    if (!name_len)
        return;
    const char *v = eq + 1;
    size_t v_len = n - (size_t)(v - s);
    while (v_len && is_space(*v)) {
        v++;
        v_len--;
    }
    while (v_len && is_space(v[v_len - 1]))
        v_len--;
    if (v_len >= 2 && v[0] == '"' && v[v_len - 1] == '"') {
        v++;
        v_len -= 2;
    }
    param_list_add(list, a, arena_strndup(a, s, name_len), arena_strndup(a, v, v_len));
}

Param *cookie_parse(Arena *a, const char *header)
{
    ParamList list;
    param_list_init(&list);
    const char *p = header;
    while (p && *p && list.count < COOKIE_MAX_COUNT) {
        while (is_space(*p) || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        if (n)
            cookie_add(a, p, n, &list);
        p += n;
    }
    return list.head;
}

bool cookie_name_valid(const char *name)
{
    if (!name || !*name)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            continue;
        if (*p >= 'A' && *p <= 'Z')
            continue;
        if (*p >= '0' && *p <= '9')
            continue;
        if (!strchr("!#$%&'*+-.^_`|~", *p))
            return false;
    }
    return true;
}

bool cookie_value_valid(const char *value)
{
    if (!value)
        return false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == ',' || *p == ';' || *p == '\\')
            return false;
    return true;
}
