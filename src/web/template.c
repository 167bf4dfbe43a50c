/* template: the View data model, the compiler (source -> flat token list with section jumps),
 * the process-wide cache of compiled templates and the renderer. Rendering never parses and
 * never allocates outside the output buffer and (dev mode, strings) the view's arena.
 * SECURITY: values are HTML-escaped on output; only VALUE_HTML (SafeHtml) is copied raw. */
#include "web/template.h"
#include "core/log.h"
#include "core/str.h"
#include "web/assets.h"
#include "web/i18n.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- the data model ---- */

typedef enum {
    VALUE_NONE,
    VALUE_TEXT,
    VALUE_HTML,
    VALUE_BOOL,
    VALUE_INT,
    VALUE_CHILD,
    VALUE_LIST,
    VALUE_TEMPLATE /* as.text names a template rendered in place, in the current context */
} ValueKind;

typedef struct Value {
    ValueKind kind;
    bool plain; /* VALUE_TEXT without characters to escape: copied as is */
    size_t len; /* VALUE_TEXT, VALUE_HTML */
    union {
        const char *text;
        bool boolean;
        int64_t integer;
        View *child;
        struct {
            View *first, *last;
            size_t count;
        } list;
    } as;
} Value;

typedef struct Entry {
    struct Entry *next;
    const char *key;
    size_t key_len;
    uint32_t hash; /* name_hash of the key: lookups compare it before the bytes */
    Value value;
} Entry;

struct View {
    Arena *arena;
    Entry *first, *last;
    View *next_item; /* next item of the list this view belongs to */
    Value self;      /* the item's own text for lists of text ({{.}}) */
    uint32_t field_count; /* view_list_add_refs: its first field_count entries are one array */
};

/* The characters buf_append_html replaces; used to skip it for text that has none. */
static const bool HTML_SPECIAL[256] = {
    ['&'] = true, ['<'] = true, ['>'] = true, ['"'] = true, ['\''] = true};

static size_t plain_prefix(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    /* sixteen bytes at a time where the CPU has SSE2 (every x86-64) */
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  dq = _mm_set1_epi8('"'), sq = _mm_set1_epi8('\'');
    for (; i + 16 <= n; i += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(w, amp), _mm_cmpeq_epi8(w, lt)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, gt), _mm_cmpeq_epi8(w, dq)),
                         _mm_cmpeq_epi8(w, sq)));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    while (i < n && !HTML_SPECIAL[(unsigned char)s[i]])
        i++;
    return i;
}

/* Appends s[0..n) escaped for HTML (buf_append_html), copying a clean prefix in one go. */
static void append_escaped(Buf *out, const char *s, size_t n)
{
    size_t plain = plain_prefix(s, n);
    buf_append(out, s, plain);
    if (plain < n)
        buf_append_html(out, s + plain, n - plain);
}

View *view_new(Arena *a)
{
    View *v = arena_alloc(a, sizeof *v);
    v->arena = a;
    return v;
}

Arena *view_arena(const View *v)
{
    return v ? v->arena : NULL;
}

/* FNV-1a of a name: computed once per view entry and once per compiled tag, so a lookup
 * compares one number per entry instead of the bytes. */
static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static Entry *view_find(const View *v, const char *key, size_t len, uint32_t hash)
{
    if (!v)
        return NULL;
    for (Entry *e = v->first; e; e = e->next)
        if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    return NULL;
}

/* Returns key's value slot, adding an empty entry when the key is new (with a copy of the
 * key, or key itself when it outlives the view). */
static Value *view_slot_keyed(View *v, const char *key, bool copy_key)
{
    size_t len = strlen(key);
    uint32_t hash = name_hash(key, len);
    /* the last entry first: rows appended to a list set the same key again and again */
    Entry *e = v->last && v->last->hash == hash && v->last->key_len == len &&
                       memcmp(v->last->key, key, len) == 0
                   ? v->last
                   : view_find(v, key, len, hash);
    if (e)
        return &e->value;
    e = arena_alloc(v->arena, sizeof *e);
    e->key = copy_key ? arena_strndup(v->arena, key, len) : key;
    e->key_len = len;
    e->hash = hash;
    if (v->last)
        v->last->next = e;
    else
        v->first = e;
    v->last = e;
    return &e->value;
}

static Value *view_slot(View *v, const char *key)
{
    return view_slot_keyed(v, key, true);
}

static void value_set_text(View *v, Value *slot, ValueKind kind, const char *text, size_t n)
{
    slot->kind = kind;
    slot->len = n;
    slot->as.text = arena_strndup(v->arena, text ? text : "", n);
    slot->plain = plain_prefix(slot->as.text, n) == n;
}

void view_set_n(View *v, const char *key, const char *text, size_t n)
{
    value_set_text(v, view_slot(v, key), VALUE_TEXT, text, text ? n : 0);
}

void view_set(View *v, const char *key, const char *text)
{
    view_set_n(v, key, text, text ? strlen(text) : 0);
}

void view_set_ref(View *v, const char *key, const char *text)
{
    Value *slot = view_slot_keyed(v, key, false);
    slot->kind = VALUE_TEXT;
    slot->as.text = text ? text : "";
    slot->len = strlen(slot->as.text);
    slot->plain = plain_prefix(slot->as.text, slot->len) == slot->len;
}

void view_setf(View *v, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(v->arena, fmt, ap);
    va_end(ap);
    Value *slot = view_slot(v, key);
    slot->kind = VALUE_TEXT;
    slot->len = strlen(text);
    slot->as.text = text;
    slot->plain = plain_prefix(text, slot->len) == slot->len;
}

void view_set_html(View *v, const char *key, const char *html)
{
    value_set_text(v, view_slot(v, key), VALUE_HTML, html, html ? strlen(html) : 0);
}

void view_set_template(View *v, const char *key, const char *name)
{
    value_set_text(v, view_slot(v, key), VALUE_TEMPLATE, name, name ? strlen(name) : 0);
}

void view_set_bool(View *v, const char *key, bool value)
{
    Value *slot = view_slot(v, key);
    slot->kind = VALUE_BOOL;
    slot->as.boolean = value;
}

void view_set_int(View *v, const char *key, int64_t value)
{
    Value *slot = view_slot(v, key);
    slot->kind = VALUE_INT;
    slot->as.integer = value;
}

View *view_child(View *v, const char *key)
{
    Value *slot = view_slot(v, key);
    if (slot->kind != VALUE_CHILD) {
        slot->kind = VALUE_CHILD;
        slot->as.child = view_new(v->arena);
    }
    return slot->as.child;
}

static View *list_append(View *v, Value *slot)
{
    if (slot->kind != VALUE_LIST) {
        slot->kind = VALUE_LIST;
        slot->as.list.first = slot->as.list.last = NULL;
        slot->as.list.count = 0;
    }
    View *item = view_new(v->arena);
    if (slot->as.list.last)
        slot->as.list.last->next_item = item;
    else
        slot->as.list.first = item;
    slot->as.list.last = item;
    slot->as.list.count++;
    return item;
}

View *view_list_add(View *v, const char *key)
{
    return list_append(v, view_slot(v, key));
}

View *view_list_add_refs(View *v, const char *key, const ViewField *fields, int count)
{
    Value *slot = view_slot(v, key);
    /* rows of a list share their keys: the previous row's entry at the same place gives the
     * length and hash when it holds the very same key string */
    const View *prev = slot->kind == VALUE_LIST ? slot->as.list.last : NULL;
    const Entry *same = prev ? prev->first : NULL;
    View *item = list_append(v, slot);
    if (count <= 0)
        return item;
    Entry *entries = arena_alloc(v->arena, sizeof *entries * (size_t)count);
    for (int i = 0; i < count; i++) {
        Entry *e = &entries[i];
        e->key = fields[i].key;
        bool same_key = same && same->key == e->key;
        if (same_key) {
            e->key_len = same->key_len;
            e->hash = same->hash;
        } else {
            e->key_len = strlen(e->key);
            e->hash = name_hash(e->key, e->key_len);
        }
        e->value.kind = VALUE_TEXT;
        e->value.as.text = fields[i].text ? fields[i].text : "";
        if (same_key && same->value.kind == VALUE_TEXT &&
            same->value.as.text == e->value.as.text) {
            /* the very same string as the row before (a label, a type's name): measured */
            e->value.len = same->value.len;
            e->value.plain = same->value.plain;
        } else {
            e->value.len = strlen(e->value.as.text);
            e->value.plain = plain_prefix(e->value.as.text, e->value.len) == e->value.len;
        }
        same = same ? same->next : NULL;
        e->next = i + 1 < count ? &entries[i + 1] : NULL;
    }
    item->first = entries;
    item->last = &entries[count - 1];
    item->field_count = (uint32_t)count;
    return item;
}

void view_list_add_text(View *v, const char *key, const char *text)
{
    View *item = view_list_add(v, key);
    value_set_text(v, &item->self, VALUE_TEXT, text, text ? strlen(text) : 0);
}

/* The stack of contexts during a render: innermost first. */
typedef struct Context {
    const View *view;
    const struct Context *parent;
} Context;

/* part: the length of name's first part (len without a dot), first_hash: its name_hash */
static const Value *context_lookup_hashed(const Context *ctx, const char *name, size_t len,
                                         size_t part, uint32_t first_hash)
{
    if (len == 1 && name[0] == '.')
        return ctx && ctx->view && ctx->view->self.kind != VALUE_NONE ? &ctx->view->self : NULL;
    const char *dot = part < len ? name + part : NULL;
    Entry *e = NULL;
    for (; ctx && !e; ctx = ctx->parent)
        e = view_find(ctx->view, name, part, first_hash);
    while (e && dot) {
        if (e->value.kind != VALUE_CHILD)
            return NULL;
        name = dot + 1;
        len -= part + 1;
        dot = memchr(name, '.', len);
        part = dot ? (size_t)(dot - name) : len;
        e = view_find(e->value.as.child, name, part, name_hash(name, part));
    }
    return e ? &e->value : NULL;
}

/* The length of a (dotted) name's first part. */
static size_t first_part_len(const char *name, size_t len)
{
    const char *dot = memchr(name, '.', len);
    return dot ? (size_t)(dot - name) : len;
}

/* Resolves a (dotted) name: the first part walks the context stack outward, the rest
 * descends into objects. Returns NULL when missing. */
static const Value *context_lookup(const Context *ctx, const char *name, size_t len)
{
    size_t part = first_part_len(name, len);
    return context_lookup_hashed(ctx, name, len, part, name_hash(name, part));
}

static const Value *view_lookup(const View *v, const char *name)
{
    Context ctx = {v, NULL};
    return name ? context_lookup(&ctx, name, strlen(name)) : NULL;
}

bool view_has(const View *v, const char *name)
{
    return view_lookup(v, name) != NULL;
}

const char *view_get_text(const View *v, const char *name)
{
    const Value *val = view_lookup(v, name);
    return val && (val->kind == VALUE_TEXT || val->kind == VALUE_HTML) ? val->as.text : NULL;
}

bool view_get_bool(const View *v, const char *name)
{
    const Value *val = view_lookup(v, name);
    return val && val->kind == VALUE_BOOL && val->as.boolean;
}

int64_t view_get_int(const View *v, const char *name)
{
    const Value *val = view_lookup(v, name);
    return val && val->kind == VALUE_INT ? val->as.integer : 0;
}

View *view_get_child(const View *v, const char *name)
{
    const Value *val = view_lookup(v, name);
    return val && val->kind == VALUE_CHILD ? val->as.child : NULL;
}

size_t view_list_count(const View *v, const char *name)
{
    const Value *val = view_lookup(v, name);
    return val && val->kind == VALUE_LIST ? val->as.list.count : 0;
}

/* ---- compiled form ---- */

typedef enum { OP_TEXT, OP_VAR, OP_SECTION, OP_INVERTED, OP_PARTIAL, OP_TRANSLATE } Op;

typedef struct Template Template;

/* The translations of a {{_ text}} for each language, when they hold no %{name} and no
 * character to escape: then rendering copies them (NULL: looked up and escaped each time). */
typedef struct Fixed {
    const char *text[I18N_LANG_COUNT];
    uint32_t len[I18N_LANG_COUNT];
} Fixed;

typedef struct Node {
    Op op;
    uint32_t line;
    uint32_t len;            /* of text */
    uint32_t end;            /* sections: index of the first node after the body */
    const char *text;        /* text run, name, msgid, or partial key "partials/NAME" */
    union {
        const Template *partial; /* OP_PARTIAL of cached templates: the resolved partial */
        const struct Fixed *fixed; /* OP_TRANSLATE: translations that are copied as they are */
    } u;
    uint32_t part;           /* names (variables, sections): length of the first part */
    uint32_t hash;           /* names: name_hash of the first part */
} Node;

struct Template {
    const char *path; /* "templates/home.html", for messages */
    const char *key;  /* "home" */
    Node *nodes;
    uint32_t count;
    const char *error; /* "path:line: message" when the template cannot be rendered */
};

/* ---- compiler ---- */

typedef struct Compiler {
    Arena *arena;
    const char *path;
    const char *src;
    size_t n;
    uint32_t line;
    Node *nodes;
    uint32_t count;
    uint32_t open[TEMPLATE_MAX_SECTION_DEPTH]; /* node index of each open section */
    uint32_t depth;
    Buf *err;
    bool collapse; /* template files: indentation dropped from text runs (see layout_text) */
    bool raw;      /* inside <pre> or <textarea>, where whitespace is content */
} Compiler;

static bool compile_fail(Compiler *c, uint32_t line, const char *msg, const char *tag,
                         size_t tag_len)
{
    if (c->err) {
        buf_printf(c->err, "%s:%u: %s", c->path, line, msg);
        if (tag)
            buf_printf(c->err, " {{%.*s}}%s", (int)(tag_len > 40 ? 40 : tag_len), tag,
                       tag_len > 40 ? "..." : "");
    }
    return false;
}

static bool is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

/* Non-empty parts of name characters joined by single sep characters. */
static bool parts_valid(const char *s, size_t n, char sep)
{
    bool part_empty = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == sep) {
            if (part_empty)
                return false;
            part_empty = true;
        } else if (is_name_char(s[i])) {
            part_empty = false;
        } else {
            return false;
        }
    }
    return !part_empty;
}

/* "." or parts of name characters joined by single dots. */
static bool name_valid(const char *s, size_t n)
{
    return (n == 1 && s[0] == '.') || parts_valid(s, n, '.');
}

/* Partial and page names: parts of name characters joined by single slashes. */
static bool path_name_valid(const char *s, size_t n)
{
    return parts_valid(s, n, '/');
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

static uint32_t count_lines(const char *s, size_t n)
{
    uint32_t lines = 0;
    const char *end = s + n;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        lines++;
        s++;
    }
    return lines;
}

static Node *compile_emit(Compiler *c, Op op, const char *text, size_t len)
{
    Node *node = &c->nodes[c->count++];
    node->op = op;
    node->line = c->line;
    node->text = text;
    node->len = (uint32_t)len;
    if (op == OP_VAR || op == OP_SECTION || op == OP_INVERTED) {
        node->part = (uint32_t)first_part_len(text, len);
        node->hash = name_hash(text, node->part);
    }
    return node;
}

/* {{_ msgid}}: with the translations that need no work at render time (the catalogs do not
 * change under a compiled template: embedded ones never, and in dev mode templates are
 * compiled for each render). */
static void compile_translate(Compiler *c, const char *msgid, size_t len)
{
    Node *node = compile_emit(c, OP_TRANSLATE, msgid, len);
    Fixed *fixed = NULL;
    for (int i = 0; i < I18N_LANG_COUNT; i++) {
        const char *text = i18n_get(i18n_lang_code(i), msgid);
        size_t n = strlen(text);
        if (strstr(text, "%{") || plain_prefix(text, n) != n || n > UINT32_MAX)
            continue;
        if (!fixed)
            fixed = arena_alloc(c->arena, sizeof *fixed);
        fixed->text[i] = text;
        fixed->len[i] = (uint32_t)n;
    }
    node->u.fixed = fixed;
}

/* The msgid of {{_ text}}: whitespace runs collapsed to one space. */
static char *collapse_blanks(Arena *a, const char *s, size_t n, size_t *out_len)
{
    char *out = arena_alloc(a, n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_blank(s[i]))
            out[len++] = s[i];
        else if (len && out[len - 1] != ' ')
            out[len++] = ' ';
    }
    out[len] = '\0';
    *out_len = len;
    return out;
}

static bool compile_section_open(Compiler *c, Op op, const char *name, size_t len, const char *tag,
                                 size_t tag_len)
{
    if (!name_valid(name, len))
        return compile_fail(c, c->line, "bad section name in", tag, tag_len);
    if (c->depth >= TEMPLATE_MAX_SECTION_DEPTH)
        return compile_fail(c, c->line, "sections nested deeper than 32 at", tag, tag_len);
    c->open[c->depth++] = c->count;
    compile_emit(c, op, name, len);
    return true;
}

static bool compile_section_close(Compiler *c, const char *name, size_t len, const char *tag,
                                  size_t tag_len)
{
    if (c->depth == 0)
        return compile_fail(c, c->line, "section end without a start:", tag, tag_len);
    Node *start = &c->nodes[c->open[c->depth - 1]];
    if (start->len != len || memcmp(start->text, name, len) != 0) {
        if (c->err)
            buf_printf(c->err,
                       "%s:%u: mismatched section end {{/%.*s}}: expected {{/%.*s}} "
                       "(opened on line %u)",
                       c->path, c->line, (int)(len > 40 ? 40 : len), name, (int)start->len,
                       start->text, start->line);
        return false;
    }
    start->end = c->count;
    c->depth--;
    return true;
}

static bool compile_partial(Compiler *c, const char *name, size_t len, const char *tag,
                            size_t tag_len)
{
    if (!path_name_valid(name, len))
        return compile_fail(c, c->line, "bad partial name in", tag, tag_len);
    Buf key;
    buf_init(&key, c->arena);
    buf_puts(&key, "partials/");
    buf_append(&key, name, len);
    compile_emit(c, OP_PARTIAL, key.data, key.len);
    return true;
}

/* Compiles one tag, tag[0..len) being what stands between {{ and }}. */
static bool compile_tag(Compiler *c, const char *tag, size_t tag_len)
{
    const char *s = tag;
    size_t n = tag_len;
    trim(&s, &n);
    if (n == 0)
        return compile_fail(c, c->line, "empty tag", NULL, 0);
    char sigil = s[0];
    const char *rest = s + 1;
    size_t rest_len = n - 1;
    trim(&rest, &rest_len);
    switch (sigil) {
    case '!':
        return true;
    case '#':
        return compile_section_open(c, OP_SECTION, rest, rest_len, tag, tag_len);
    case '^':
        return compile_section_open(c, OP_INVERTED, rest, rest_len, tag, tag_len);
    case '/':
        return compile_section_close(c, rest, rest_len, tag, tag_len);
    case '>':
        return compile_partial(c, rest, rest_len, tag, tag_len);
    default:
        break;
    }
    if (sigil == '_' && n > 1 && is_blank(s[1])) {
        size_t id_len;
        char *msgid = collapse_blanks(c->arena, rest, rest_len, &id_len);
        compile_translate(c, msgid, id_len);
        return true;
    }
    if (!name_valid(s, n))
        return compile_fail(c, c->line, "unknown tag", tag, tag_len);
    compile_emit(c, OP_VAR, s, n);
    return true;
}

static bool starts_with_tag(const char *s, size_t n, const char *tag)
{
    size_t k = strlen(tag);
    return n >= k && strncasecmp(s, tag, k) == 0;
}

/* A text run of a template file without its indentation: each run of blanks that holds a
 * line break becomes one line break. Browsers show the two alike, except inside <pre> and
 * <textarea>, which are left as they are. Pages get about a seventh smaller. */
static const char *layout_text(Compiler *c, const char *s, size_t n, size_t *out_len)
{
    char *out = arena_alloc(c->arena, n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '<') {
            if (starts_with_tag(s + i, n - i, "<pre") || starts_with_tag(s + i, n - i, "<textarea"))
                c->raw = true;
            else if (starts_with_tag(s + i, n - i, "</pre") ||
                     starts_with_tag(s + i, n - i, "</textarea"))
                c->raw = false;
        }
        if (c->raw || !is_blank(s[i])) {
            out[len++] = s[i++];
            continue;
        }
        size_t j = i;
        bool line_break = false;
        while (j < n && is_blank(s[j]))
            line_break |= s[j++] == '\n';
        if (line_break) {
            out[len++] = '\n';
        } else {
            memcpy(out + len, s + i, j - i);
            len += j - i;
        }
        i = j;
    }
    out[len] = '\0';
    *out_len = len;
    return out;
}

static bool compile_body(Compiler *c)
{
    size_t pos = 0;
    while (pos < c->n) {
        const char *open = memmem(c->src + pos, c->n - pos, "{{", 2);
        size_t text_end = open ? (size_t)(open - c->src) : c->n;
        if (text_end > pos) {
            const char *text = c->src + pos;
            size_t len = text_end - pos;
            if (c->collapse)
                text = layout_text(c, text, len, &len);
            if (len > 0)
                compile_emit(c, OP_TEXT, text, len);
            c->line += count_lines(c->src + pos, text_end - pos);
        }
        if (!open)
            break;
        size_t inner = text_end + 2;
        const char *close = memmem(c->src + inner, c->n - inner, "}}", 2);
        if (!close)
            return compile_fail(c, c->line, "unclosed tag", NULL, 0);
        while ((size_t)(close - c->src) + 2 < c->n && close[2] == '}')
            close++; /* "%{name}}}": the tag ends with the last two braces */
        size_t tag_len = (size_t)(close - c->src) - inner;
        if (!compile_tag(c, c->src + inner, tag_len))
            return false;
        c->line += count_lines(c->src + inner, tag_len);
        pos = inner + tag_len + 2;
    }
    if (c->depth > 0) {
        Node *start = &c->nodes[c->open[c->depth - 1]];
        if (c->err)
            buf_printf(c->err, "%s:%u: unclosed section {{%c%.*s}}", c->path, start->line,
                       start->op == OP_SECTION ? '#' : '^', (int)start->len, start->text);
        return false;
    }
    return true;
}

/* Compiles src[0..n) into t; the source must outlive t. Returns false with a message. */
static bool template_compile(Arena *a, const char *path, const char *src, size_t n, Template *t,
                             Buf *err)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    Compiler c = {.arena = a, .path = path, .src = src, .n = n, .line = 1, .err = err,
                  .collapse = path[0] != '<'};
    if (n >= UINT32_MAX / 2)
        return compile_fail(&c, 1, "template too large", NULL, 0);
    size_t tags = 0;
    for (const char *p = src; (p = memmem(p, n - (size_t)(p - src), "{{", 2)) != NULL; p += 2)
        tags++;
    c.nodes = arena_alloc(a, (2 * tags + 1) * sizeof *c.nodes);
    bool ok = compile_body(&c);
    t->nodes = c.nodes;
    t->count = ok ? c.count : 0;
    return ok;
}

/* ---- the cache of compiled templates (immutable once built) ---- */

static Template *cache;
static size_t cache_count;
static Arena cache_arena;
static Buf cache_errors; /* heap; all compile and link errors */
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static uint64_t limit_steps = 50000000;
static size_t limit_output = 256u * 1024 * 1024;

void template_set_limits(uint64_t max_steps, size_t max_output)
{
    limit_steps = max_steps;
    limit_output = max_output;
}

static int compare_templates(const void *a, const void *b)
{
    return strcmp(((const Template *)a)->key, ((const Template *)b)->key);
}

static const Template *cache_find(const char *key, size_t len)
{
    size_t lo = 0, hi = cache_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strncmp(cache[mid].key, key, len);
        if (cmp == 0 && cache[mid].key[len] != '\0')
            cmp = 1;
        if (cmp == 0)
            return &cache[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void cache_count_file(const EmbeddedFile *f, void *ctx)
{
    if (str_ends_with(f->path, ".html"))
        (*(size_t *)ctx)++;
}

static void cache_add_file(const EmbeddedFile *f, void *ctx)
{
    if (!str_ends_with(f->path, ".html"))
        return;
    Template *t = &cache[cache_count++];
    size_t key_len = strlen(f->path) - strlen("templates/") - strlen(".html");
    Buf err;
    buf_init(&err, &cache_arena);
    if (!template_compile(&cache_arena, f->path, (const char *)f->data, f->size, t, &err)) {
        t->error = buf_cstr(&err);
        buf_printf(&cache_errors, "%s\n", t->error);
    }
    t->key = arena_strndup(&cache_arena, f->path + strlen("templates/"), key_len);
}

/* Resolves every {{> partial}} of t; a missing one makes t unrenderable. */
static void cache_link(Template *t)
{
    for (uint32_t i = 0; i < t->count && !t->error; i++) {
        Node *node = &t->nodes[i];
        if (node->op != OP_PARTIAL)
            continue;
        node->u.partial = cache_find(node->text, node->len);
        if (!node->u.partial) {
            t->error = arena_printf(&cache_arena, "%s:%u: unknown partial {{> %.*s}}", t->path,
                                    node->line, (int)node->len - 9, node->text + 9);
            buf_printf(&cache_errors, "%s\n", t->error);
        }
    }
}

/* Logs each line of text (one message per line) as its own log line. */
static void log_each_line(const char *event, const char *text)
{
    while (*text) {
        size_t len = strcspn(text, "\n");
        log_error("event=%s detail=\"%.*s\"", event, (int)len, text);
        text += len;
        if (*text == '\n')
            text++;
    }
}

static void cache_build(void)
{
    arena_init(&cache_arena, 65536);
    buf_init(&cache_errors, NULL);
    size_t n = 0;
    assets_each("templates/", cache_count_file, &n);
    cache = arena_alloc(&cache_arena, (n ? n : 1) * sizeof *cache);
    assets_each("templates/", cache_add_file, NULL);
    qsort(cache, cache_count, sizeof *cache, compare_templates);
    for (size_t i = 0; i < cache_count; i++)
        cache_link(&cache[i]);
    if (cache_errors.len)
        log_each_line("template_compile_failed", buf_cstr(&cache_errors));
}

bool template_init(Buf *err)
{
    pthread_once(&cache_once, cache_build);
    if (err && cache_errors.len)
        buf_append(err, cache_errors.data, cache_errors.len);
    return cache_errors.len == 0;
}

/* ---- renderer ---- */

/* Where each name of a list row's template was found in the row before: rows built by
 * view_list_add_refs hold the same keys at the same places, so from the second row on a
 * name is found without searching. One table per render (templates compiled for this render
 * in dev mode live as long as it does, so a node's address means one node throughout); a
 * slot that another node took over only costs the ordinary lookup. */
#define HINT_SLOTS 64
typedef struct Hint {
    const struct Node *node;
    const char *key; /* the very key string found there (rows share them) */
    uint32_t pos;
} Hint;

typedef struct Render {
    Buf *out;
    Buf *err;
    const char *lang;
    Arena *arena; /* for templates compiled during the render (dev mode) */
    size_t out_start;
    uint64_t steps;
    int partial_depth;
    Hint hints[HINT_SLOTS];
} Render;

static const Value *node_lookup(Render *r, const Context *ctx, const Node *node)
{
    const View *v = ctx ? ctx->view : NULL;
    bool plain = node->part == node->len; /* not dotted */
    Hint *h = &r->hints[((uintptr_t)node / sizeof *node) % HINT_SLOTS];
    if (plain && v && v->field_count && h->node == node && h->pos < v->field_count &&
        v->first[h->pos].key == h->key)
        return &v->first[h->pos].value;
    const Value *val = context_lookup_hashed(ctx, node->text, node->len, node->part, node->hash);
    if (plain && val && v && v->field_count) {
        const Entry *e = (const Entry *)((const char *)val - offsetof(Entry, value));
        if (e >= v->first && e < v->first + v->field_count) {
            h->node = node;
            h->key = e->key;
            h->pos = (uint32_t)(e - v->first);
        }
    }
    return val;
}

static bool render_fail(Render *r, const Template *t, const Node *node, const char *msg)
{
    if (r->err)
        buf_printf(r->err, "%s:%u: %s", t->path, node ? node->line : 0, msg);
    return false;
}

static void append_int(Buf *out, int64_t value)
{
    char digits[STR_INT_SIZE];
    buf_append(out, digits, str_from_int(digits, value));
}

static void emit_value(Buf *out, const Value *val)
{
    if (!val)
        return;
    if (val->kind == VALUE_TEXT && !val->plain)
        buf_append_html(out, val->as.text, val->len);
    else if (val->kind == VALUE_TEXT || val->kind == VALUE_HTML)
        buf_append(out, val->as.text, val->len);
    else if (val->kind == VALUE_INT)
        append_int(out, val->as.integer);
}

static bool value_truthy(const Value *val)
{
    if (!val)
        return false;
    switch (val->kind) {
    case VALUE_TEXT:
    case VALUE_HTML:
        return val->len > 0;
    case VALUE_BOOL:
        return val->as.boolean;
    case VALUE_INT:
        return val->as.integer != 0;
    case VALUE_CHILD:
    case VALUE_TEMPLATE:
        return true;
    case VALUE_LIST:
        return val->as.list.count > 0;
    default:
        return false;
    }
}

/* Appends the translation of node's msgid, escaped, with %{name} replaced by values. */
static void emit_translation(Render *r, const Node *node, const Context *ctx)
{
    const Fixed *fixed = node->u.fixed;
    int slot = i18n_lang_slot(r->lang);
    if (fixed && fixed->text[slot]) {
        buf_append(r->out, fixed->text[slot], fixed->len[slot]);
        return;
    }
    const char *text = i18n_get(r->lang, node->text);
    const char *start = text;
    for (const char *p = text; (p = strstr(p, "%{")) != NULL;) {
        const char *close = strchr(p + 2, '}');
        size_t len = close ? (size_t)(close - p - 2) : 0;
        if (!close || !name_valid(p + 2, len)) {
            p += 2;
            continue;
        }
        append_escaped(r->out, start, (size_t)(p - start));
        emit_value(r->out, context_lookup(ctx, p + 2, len));
        start = p = close + 1;
    }
    append_escaped(r->out, start, strlen(start));
}

static bool render_nodes(Render *r, const Template *t, uint32_t from, uint32_t to,
                         const Context *ctx);

static bool render_section(Render *r, const Template *t, const Node *node, uint32_t body,
                           const Context *ctx)
{
    const Value *val = node_lookup(r, ctx, node);
    if (node->op == OP_INVERTED)
        return value_truthy(val) ? true : render_nodes(r, t, body, node->end, ctx);
    if (!value_truthy(val))
        return true;
    if (val->kind == VALUE_LIST) {
        for (const View *item = val->as.list.first; item; item = item->next_item) {
            Context inner = {item, ctx};
            if (!render_nodes(r, t, body, node->end, &inner))
                return false;
        }
        return true;
    }
    if (val->kind == VALUE_CHILD) {
        Context inner = {val->as.child, ctx};
        return render_nodes(r, t, body, node->end, &inner);
    }
    return render_nodes(r, t, body, node->end, ctx);
}

static const Template *load_template(Render *r, const char *key, size_t len, Template *scratch);

/* A partial or an in-place template (inner), found for node of t, in the same context. */
static bool render_nested(Render *r, const Template *t, const Node *node, const Template *inner,
                          const Context *ctx)
{
    if (inner->error)
        return render_fail(r, t, node, inner->error);
    r->partial_depth++;
    bool ok = render_nodes(r, inner, 0, inner->count, ctx);
    r->partial_depth--;
    return ok;
}

static bool render_partial(Render *r, const Template *t, const Node *node, const Context *ctx)
{
    if (r->partial_depth >= TEMPLATE_MAX_PARTIAL_DEPTH)
        return render_fail(r, t, node, "partials nested deeper than 16");
    Template scratch;
    const Template *partial = node->u.partial;
    if (!partial)
        partial = load_template(r, node->text, node->len, &scratch);
    if (!partial) {
        if (r->err)
            buf_printf(r->err, "%s:%u: unknown partial {{> %.*s}}", t->path, node->line,
                       (int)node->len - 9, node->text + 9);
        return false;
    }
    return render_nested(r, t, node, partial, ctx);
}

/* {{name}} holding view_set_template: that template, rendered here with the same context
 * (the page's content inside the layout, without rendering it into a buffer of its own). */
static bool render_in_place(Render *r, const Template *t, const Node *node, const Value *val,
                            const Context *ctx)
{
    if (r->partial_depth >= TEMPLATE_MAX_PARTIAL_DEPTH)
        return render_fail(r, t, node, "templates nested deeper than 16");
    Template scratch;
    const Template *inner = load_template(r, val->as.text, val->len, &scratch);
    if (!inner) {
        if (r->err)
            buf_printf(r->err, "templates/%s.html: no such template", val->as.text);
        return false;
    }
    return render_nested(r, t, node, inner, ctx);
}

static bool render_nodes(Render *r, const Template *t, uint32_t from, uint32_t to,
                         const Context *ctx)
{
    for (uint32_t i = from; i < to; i++) {
        const Node *node = &t->nodes[i];
        if (++r->steps > limit_steps || r->out->len - r->out_start > limit_output)
            return render_fail(r, t, node, "render limit exceeded");
        switch (node->op) {
        case OP_TEXT:
            buf_append(r->out, node->text, node->len);
            break;
        case OP_VAR: {
            const Value *val = node_lookup(r, ctx, node);
            if (val && val->kind == VALUE_TEMPLATE) {
                if (!render_in_place(r, t, node, val, ctx))
                    return false;
            } else {
                emit_value(r->out, val);
            }
            break;
        }
        case OP_TRANSLATE:
            emit_translation(r, node, ctx);
            break;
        case OP_PARTIAL:
            if (!render_partial(r, t, node, ctx))
                return false;
            break;
        case OP_SECTION:
        case OP_INVERTED:
            if (!render_section(r, t, node, i + 1, ctx))
                return false;
            i = node->end - 1;
            break;
        }
    }
    return true;
}

/* Finds the compiled template for key ("home", "partials/x"): from the cache, or in dev mode
 * freshly read and compiled into r->arena (stored in *scratch). NULL when there is none. */
static const Template *load_template(Render *r, const char *key, size_t len, Template *scratch)
{
    if (!assets_dev()) {
        pthread_once(&cache_once, cache_build);
        return cache_find(key, len);
    }
    Buf path;
    buf_init(&path, r->arena);
    buf_printf(&path, "templates/%.*s.html", (int)len, key);
    size_t size = 0;
    const unsigned char *data = assets_find(path.data, &size);
    if (!data)
        return NULL;
    /* copied: a nested read of the same file replaces the per-thread buffer */
    const char *src = arena_strndup(r->arena, (const char *)data, size);
    Buf err;
    buf_init(&err, r->arena);
    if (!template_compile(r->arena, path.data, src, size, scratch, &err))
        scratch->error = buf_cstr(&err);
    scratch->key = key;
    return scratch;
}

static bool render_template(Render *r, const Template *t, View *v)
{
    if (t->error) {
        if (r->err)
            buf_puts(r->err, t->error);
        return false;
    }
    Context root = {v, NULL};
    return render_nodes(r, t, 0, t->count, &root);
}

/* Runs the render and restores out on failure. */
static bool render_finish(Render *r, bool ok)
{
    if (!ok) {
        r->out->len = r->out_start;
        if (r->out->data)
            r->out->data[r->out_start] = '\0';
    }
    return ok;
}

bool template_render(const char *name, View *v, const char *lang, Buf *out, Buf *err)
{
    size_t len = name ? strlen(name) : 0;
    if (!path_name_valid(name, len)) {
        if (err)
            buf_printf(err, "template name \"%.40s\" is not valid", name ? name : "(null)");
        return false;
    }
    Arena temp;
    arena_init(&temp, 16384);
    Render r = {.out = out, .err = err, .lang = lang, .out_start = out->len};
    r.arena = v ? v->arena : &temp;
    Template scratch;
    const Template *t = load_template(&r, name, len, &scratch);
    bool ok;
    if (t) {
        ok = render_template(&r, t, v);
    } else {
        if (err)
            buf_printf(err, "templates/%s.html: no such template", name);
        ok = false;
    }
    arena_free(&temp);
    return render_finish(&r, ok);
}

bool template_render_string(const char *src, size_t n, View *v, const char *lang, Buf *out,
                            Buf *err)
{
    Arena temp;
    arena_init(&temp, 16384);
    Render r = {.out = out, .err = err, .lang = lang, .out_start = out->len};
    r.arena = v ? v->arena : &temp;
    Template t;
    bool ok = template_compile(r.arena, "<string>", src, n, &t, err) && render_template(&r, &t, v);
    arena_free(&temp);
    return render_finish(&r, ok);
}
