/* fuzz_template: libFuzzer target that compiles and renders arbitrary template source against
 * a fixed small view in both languages. Errors are fine; crashes, hangs, leaks and sanitizer
 * reports are not. Tight render limits keep exponential nesting from timing out. */
#include "core/arena.h"
#include "core/buf.h"
#include "web/template.h"
#include <stddef.h>
#include <stdint.h>

static View *fuzz_view(Arena *a)
{
    View *v = view_new(a);
    view_set(v, "name", "Ada <&\"'>");
    view_set_html(v, "html", "<b>safe</b>");
    view_set_bool(v, "yes", true);
    view_set_bool(v, "no", false);
    view_set_int(v, "count", -42);
    view_set(v, "empty", "");
    View *user = view_child(v, "user");
    view_set(user, "name", "Bob");
    view_set(view_child(user, "org"), "name", "ACME");
    for (int i = 0; i < 3; i++) {
        View *item = view_list_add(v, "items");
        view_set_int(item, "n", i);
        view_set_bool(item, "first", i == 0);
    }
    view_list_add_text(v, "tags", "a");
    view_list_add_text(v, "tags", "<b>");
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const LANGS[] = {"de", "en"};
    template_set_limits(20000, 1 << 20);
    Arena a;
    arena_init(&a, 0);
    View *v = fuzz_view(&a);
    for (int i = 0; i < 2; i++) {
        Buf out, err;
        buf_init(&out, &a);
        buf_init(&err, &a);
        buf_puts(&out, "x");
        bool ok = template_render_string((const char *)data, size, v, LANGS[i], &out, &err);
        if (!ok && (out.len != 1 || err.len == 0))
            __builtin_trap(); /* failures must leave out alone and say why */
    }
    arena_free(&a);
    return 0;
}
