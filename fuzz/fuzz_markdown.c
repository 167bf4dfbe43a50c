/* fuzz_markdown: libFuzzer target for the Markdown renderer of comments and descriptions
 * (markdown_render), the path every user's text takes into a page. Besides crashes, leaks and
 * hangs it treats unsafe output as a bug: a tag outside the short list the renderer may emit,
 * an attribute other than href/rel/title/align/start/class, an href that is not absolute http(s) or
 * mailto, or output that is not valid UTF-8 aborts the run. */
#include "core/arena.h"
#include "core/str.h"
#include "domain/markdown.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const TAGS[] = {
    "p",  "br", "strong", "em", "del",   "code",  "pre",   "a",  "ul", "ol", "li", "blockquote",
    "h4", "h5", "h6",     "hr", "table", "thead", "tbody", "tr", "th", "td", NULL};
static const char *const ATTRS[] = {"href", "rel", "title", "align", "start", "class", NULL};

static bool listed(const char *const *list, const char *s, size_t n)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
            return true;
    return false;
}

static void check_safe(const char *html)
{
    if (!str_utf8_valid(html, strlen(html)))
        abort();
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1 + (p[1] == '/');
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
        const char *end = strchr(q, '>');
        if (!listed(TAGS, q, n) || !end)
            abort();
        bool anchor = p[1] != '/' && n == 1 && q[0] == 'a', rel = false;
        for (const char *a = q + n; a < end;) {
            while (a < end && (*a == ' ' || *a == '/'))
                a++;
            if (a >= end)
                break;
            size_t an = strcspn(a, "= >");
            if (!listed(ATTRS, a, an) || a[an] != '=' || a[an + 1] != '"')
                abort();
            const char *v = a + an + 2, *close = strchr(v, '"');
            if (!close || close > end)
                abort();
            if (an == 4 &&
                !(strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
                  strncasecmp(v, "mailto:", 7) == 0))
                abort();
            rel = rel || (an == 3 && strncmp(v, "nofollow noopener noreferrer\"", 29) == 0);
            a = close + 1;
        }
        if (anchor && !rel)
            abort(); /* every link is nofollow noopener noreferrer */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 0);
    check_safe(markdown_render(&a, (const char *)data, size));
    arena_free(&a);
    return 0;
}
