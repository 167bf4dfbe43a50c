/* template: Pforte's mustache-like template engine. Pages are templates/NAME.html, compiled
 * once into a token list and rendered against a View (data built in the request's arena).
 * SECURITY: every value is HTML-escaped on output (& < > " ' become entities, so values are
 * safe in element text and in quoted attributes); the only raw HTML is a value set with
 * view_set_html, which only trusted producers (the Markdown renderer, the engine) may use.
 *
 * Syntax
 *   {{name}} {{a.b.c}}   value, escaped; SafeHtml raw; ints in decimal; booleans, lists and
 *                        objects print nothing; missing names print nothing
 *   {{.}}                the current list item when it is text (view_list_add_text)
 *   {{#name}}..{{/name}} section: a list renders once per item with the item as context; an
 *                        object once with it as context; true, nonzero int or non-empty text
 *                        once with the context unchanged; missing, false, 0, "" or an empty
 *                        list not at all
 *   {{^name}}..{{/name}} inverted section: rendered exactly when {{#name}} would not be
 *   {{> path/name}}      includes templates/partials/path/name.html with the current context
 *                        (name: letters, digits, '_', '-', '/')
 *   {{! comment}}        ignored (may span lines)
 *   {{_ English text}}   the text translated into the render's language (i18n_get; runs of
 *                        whitespace in the text count as one space), HTML-escaped, then each
 *                        %{name} in it replaced by the value of name, escaped like {{name}}
 * A tag ends at the first "}}" not followed by another "}", so {{_ Hi %{name}}} works (and
 * {{name}}} is an error, not "{{name}}" and "}").
 * Names are letters, digits, '_' and '-', joined by '.'; blanks around them are ignored. The
 * first part of a name is looked up in the context stack from the innermost context outward;
 * further parts only inside what the first part found. Anything else inside {{ }} (including
 * {{{ }}} and {{& }}), an unclosed tag, a mismatched {{/name}}, sections nested deeper than 32
 * and partials nested deeper than 16 are errors that name the template and line. */
#ifndef PFORTE_WEB_TEMPLATE_H
#define PFORTE_WEB_TEMPLATE_H
#include "core/arena.h"
#include "core/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEMPLATE_MAX_SECTION_DEPTH 32
#define TEMPLATE_MAX_PARTIAL_DEPTH 16

/* ---- the data model ---- */

/* A set of named values; everything in it lives in the arena it was made with. Setting a key
 * that exists replaces its value. Keys and texts are copied into the arena, so callers may
 * pass temporaries. NULL text counts as "". Not thread-safe (like its arena). */
typedef struct View View;

View *view_new(Arena *a);
Arena *view_arena(const View *v);
/* Text, escaped on output. */
void view_set(View *v, const char *key, const char *text);
/* Text of n bytes (need not be NUL-terminated). */
void view_set_n(View *v, const char *key, const char *text, size_t n);
/* The same without copies, for long lists: key and text must outlive the view (string
 * literals, translations, text already in the view's arena). */
void view_set_ref(View *v, const char *key, const char *text);
/* printf-style text, escaped on output. */
void view_setf(View *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* SafeHtml: output as is. SECURITY: only for HTML produced by trusted code (Markdown renderer
 * in safe mode, engine-made fragments); never for user input. */
void view_set_html(View *v, const char *key, const char *html);
/* {{key}} renders templates/NAME.html in place, with the context it stands in (the page's
 * content inside the layout). */
void view_set_template(View *v, const char *key, const char *name);
void view_set_bool(View *v, const char *key, bool value);
void view_set_int(View *v, const char *key, int64_t value);
/* Returns the object stored under key, creating it (or replacing a non-object value). */
View *view_child(View *v, const char *key);
/* Appends a new empty item to list key (creating the list, or replacing a non-list value)
 * and returns it. */
View *view_list_add(View *v, const char *key);
/* A key and its text for view_list_add_refs. */
typedef struct ViewField {
    const char *key;
    const char *text; /* NULL: "" */
} ViewField;
/* Appends an item holding these texts to list key, like view_list_add and view_set_ref for
 * each field, in one allocation and without looking for keys already set: the keys must
 * differ, and keys and texts must outlive the view. For the rows of long lists. */
View *view_list_add_refs(View *v, const char *key, const ViewField *fields, int count);
/* Appends a text item to list key; {{.}} inside {{#key}} prints it. */
void view_list_add_text(View *v, const char *key, const char *text);

/* Lookups (dotted names allowed, no context stack). They return NULL/false/0 when the key is
 * missing or holds another kind of value. */
bool view_has(const View *v, const char *name);
const char *view_get_text(const View *v, const char *name); /* text or SafeHtml */
bool view_get_bool(const View *v, const char *name);
int64_t view_get_int(const View *v, const char *name);
View *view_get_child(const View *v, const char *name);
/* Number of items in list name (0 when missing or not a list). */
size_t view_list_count(const View *v, const char *name);

/* ---- rendering ---- */

/* Compiles every embedded .html file under templates/ once (the first render does it too) and
 * checks that every {{> partial}} exists. Returns false and appends one "file:line: message"
 * line per broken template to err (may be NULL); broken templates then fail to render with
 * that message. Call at start-up and refuse to start on false. Thread-safe. */
bool template_init(Buf *err);

/* Renders templates/NAME.html (name: letters, digits, '_', '-', '/') with v (may be NULL)
 * in language lang ("de" or "en", see i18n_get) and appends the result to out. On failure
 * returns false, leaves out as it was and appends one "templates/NAME.html:LINE: message" to
 * err (may be NULL). Allocates only in out and, in dev mode (assets_dev(): templates are
 * re-read and re-compiled on each render), in v's arena. Thread-safe. */
bool template_render(const char *name, View *v, const char *lang, Buf *out, Buf *err);

/* Like template_render for template source src[0..n) (need not be NUL-terminated); errors
 * name it "<string>". Compiles into v's arena (a temporary heap arena when v is NULL). */
bool template_render_string(const char *src, size_t n, View *v, const char *lang, Buf *out,
                            Buf *err);

/* Safety net against runaway templates (deep recursion over big data, fuzzing): a render
 * fails once it has executed more than max_steps tags/text runs or produced more than
 * max_output bytes. Defaults: 50,000,000 steps, 256 MiB. Call before threads start. */
void template_set_limits(uint64_t max_steps, size_t max_output);

#endif
