/* html_text: a small, forgiving HTML-to-text converter for mail bodies (not a browser): tags
 * are recognised by name only, attributes only for a link's href, and anything unexpected is
 * treated as text. Whitespace collapses like HTML's outside <pre>. */
#include "mail/html_text.h"
#include "core/buf.h"
#include "core/str.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define HREF_MAX 2000 /* longer link targets are not repeated in the text */
#define QUOTE_DEPTH_MAX 8

typedef struct Conv {
    Buf *out;
    int skip_depth;     /* inside script/style/title */
    bool in_head;       /* inside head (ended by </head> or <body>: some mailers omit the first) */
    int pre_depth;      /* inside pre: whitespace kept */
    int quote_depth;    /* inside blockquote */
    int newlines;       /* newlines at the end of out (0 = inside a line) */
    bool space_pending; /* a collapsed space before the next word */
    bool line_started;  /* prefix of the current line written */
    const char *href;   /* the open link's target (NULL when none) */
    size_t href_len;
    size_t link_start; /* out->len where the link's text began */
} Conv;

static const char *const BLOCK_TAGS[] = {
    "p",      "div",    "h1",    "h2",    "h3",    "h4",      "h5",       "h6",      "ul",
    "ol",     "table",  "tr",    "pre",   "hr",    "address", "section",  "article", "header",
    "footer", "center", "dl",    "dt",    "dd",    "form",    "fieldset", "figure",  "main",
    "nav",    "aside",  "tbody", "thead", "tfoot", NULL,
};

static bool name_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (str_eq(name, list[i]))
            return true;
    return false;
}

/* Starts a line if needed: writes the "> " prefixes of the quote depth. */
static void line_prefix(Conv *c)
{
    if (c->line_started)
        return;
    int depth = c->quote_depth > QUOTE_DEPTH_MAX ? QUOTE_DEPTH_MAX : c->quote_depth;
    for (int i = 0; i < depth; i++)
        buf_puts(c->out, "> ");
    c->line_started = true;
}

static void emit_text(Conv *c, const char *s, size_t n)
{
    if (!n)
        return;
    line_prefix(c);
    if (c->space_pending && c->newlines == 0 && c->out->len > 0) {
        char last = c->out->data[c->out->len - 1];
        if (last != ' ')
            buf_putc(c->out, ' ');
    }
    c->space_pending = false;
    buf_append(c->out, s, n);
    c->newlines = 0;
}

/* Ends the current line; want = 1 for a line break, 2 for a paragraph break. */
static void emit_break(Conv *c, int want)
{
    if (c->out->len == 0)
        return; /* nothing before: no leading blank lines */
    while (c->newlines < want) {
        if (c->newlines > 0 && c->quote_depth > 0) {
            c->line_started = false;
            line_prefix(c); /* a blank line inside a quote keeps its ">" */
            while (c->out->len && c->out->data[c->out->len - 1] == ' ')
                c->out->len--;
        }
        buf_putc(c->out, '\n');
        c->newlines++;
        c->line_started = false;
    }
    c->space_pending = false;
}

typedef struct Entity {
    const char *name;
    uint32_t cp;
} Entity;

static const Entity ENTITIES[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"auml", 0xE4},     {"ouml", 0xF6},    {"uuml", 0xFC},    {"Auml", 0xC4},
    {"Ouml", 0xD6},    {"Uuml", 0xDC},     {"szlig", 0xDF},   {"euro", 0x20AC},  {"copy", 0xA9},
    {"reg", 0xAE},     {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"laquo", 0xAB},
    {"raquo", 0xBB},   {"bdquo", 0x201E},  {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"sbquo", 0x201A},  {"bull", 0x2022},  {"middot", 0xB7},  {"eacute", 0xE9},
    {"egrave", 0xE8},  {"agrave", 0xE0},   {"aacute", 0xE1},  {"ccedil", 0xE7},  {"trade", 0x2122},
    {"deg", 0xB0},     {"sect", 0xA7},     {"times", 0xD7},   {"shy", 0xAD},     {"zwnj", 0x200C},
    {NULL, 0},
};

static size_t utf8_put(char out[4], uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the entity at s ('&'); returns the bytes consumed (0 when it is none). */
static size_t entity_decode(const char *s, const char *end, uint32_t *cp)
{
    const char *p = s + 1;
    if (p < end && *p == '#') {
        p++;
        bool hex = p < end && (*p == 'x' || *p == 'X');
        p += hex;
        uint32_t v = 0;
        const char *digits = p;
        while (p < end && (hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)) &&
               p - digits < 8) {
            int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            p++;
        }
        if (p == digits)
            return 0;
        /* Windows-1252 numbers for the C1 range, as browsers read them */
        static const uint16_t C1[32] = {
            0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021, 0x2C6,  0x2030, 0x160,
            0x2039, 0x152,  0x8D,   0x17D,  0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2013, 0x2014, 0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};
        *cp = v >= 0x80 && v < 0xA0 ? C1[v - 0x80] : v;
        return (size_t)(p - s) + (p < end && *p == ';');
    }
    const char *name = p;
    while (p < end && isalnum((unsigned char)*p) && p - name < 10)
        p++;
    size_t n = (size_t)(p - name);
    for (const Entity *e = ENTITIES; e->name; e++)
        if (strlen(e->name) == n && strncmp(e->name, name, n) == 0) {
            *cp = e->cp;
            return (size_t)(p - s) + (p < end && *p == ';');
        }
    return 0;
}

/* Text between tags: entities decoded, whitespace collapsed (kept inside pre). */
static void text_run(Conv *c, const char *s, const char *end)
{
    if (c->skip_depth || c->in_head)
        return;
    const char *p = s;
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (c->pre_depth && (ch == '\n' || ch == '\r')) {
            p += (ch == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            line_prefix(c);
            buf_putc(c->out, '\n');
            c->newlines = 1;
            c->line_started = false;
            continue;
        }
        if (!c->pre_depth && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f')) {
            c->space_pending = true;
            p++;
            continue;
        }
        if (ch == '&') {
            uint32_t cp;
            size_t used = entity_decode(p, end, &cp);
            if (used) {
                char u[4];
                if (cp == 0xA0 || cp == 0xAD || cp == 0x200C) {
                    if (cp == 0xA0)
                        emit_text(c, " ", 1);
                } else {
                    emit_text(c, u, utf8_put(u, cp));
                }
                p += used;
                continue;
            }
        }
        const char *q = p;
        while (q < end && *q != '&' && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' &&
               *q != '\f')
            q++;
        if (q == p)
            q++;
        emit_text(c, p, (size_t)(q - p));
        p = q;
    }
}

/* The value of attribute name in the tag's attribute text, or NULL. */
static const char *attr_value(Arena *a, const char *s, const char *end, const char *name,
                              size_t *len)
{
    size_t n = strlen(name);
    for (const char *p = s; p + n < end; p++) {
        if (strncasecmp(p, name, n) != 0 || (p > s && !isspace((unsigned char)p[-1])))
            continue;
        const char *q = p + n;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q >= end || *q != '=')
            continue;
        q++;
        while (q < end && isspace((unsigned char)*q))
            q++;
        char quote = (q < end && (*q == '"' || *q == '\'')) ? *q++ : 0;
        const char *v = q;
        while (q < end && (quote ? *q != quote : !isspace((unsigned char)*q) && *q != '>'))
            q++;
        *len = (size_t)(q - v);
        return arena_strndup(a, v, *len);
    }
    return NULL;
}

/* A link ends: its target follows the text when it says something the text does not. */
static void link_end(Conv *c)
{
    if (!c->href)
        return;
    const char *href = c->href;
    size_t text_len = c->out->len - c->link_start;
    const char *text = c->out->data ? c->out->data + c->link_start : "";
    const char *bare = str_starts_with(href, "mailto:") ? href + 7 : href;
    bool same = text_len == strlen(bare) && strncmp(text, bare, text_len) == 0;
    bool useful = (str_starts_with(href, "http://") || str_starts_with(href, "https://")) &&
                  c->href_len <= HREF_MAX;
    if (!same && useful && text_len > 0) {
        emit_text(c, " (", 2);
        emit_text(c, href, c->href_len);
        emit_text(c, ")", 1);
    }
    c->href = NULL;
}

static void tag(Conv *c, Arena *a, const char *s, const char *end)
{
    /* s: after '<'; end: at '>' */
    bool closing = s < end && *s == '/';
    const char *p = s + closing;
    char name[16];
    size_t n = 0;
    while (p < end && (isalnum((unsigned char)*p)) && n + 1 < sizeof name)
        name[n++] = (char)tolower((unsigned char)*p++);
    name[n] = '\0';
    if (!n)
        return;
    if (str_eq(name, "head") || str_eq(name, "body")) {
        c->in_head = str_eq(name, "head") && !closing;
        return;
    }
    if (str_eq(name, "script") || str_eq(name, "style") || str_eq(name, "title")) {
        bool self_closed = end > s && end[-1] == '/';
        if (!self_closed)
            c->skip_depth += closing ? (c->skip_depth > 0 ? -1 : 0) : 1;
        return;
    }
    if (c->skip_depth || c->in_head)
        return;
    if (str_eq(name, "br")) {
        line_prefix(c);
        buf_putc(c->out, '\n');
        c->newlines = c->newlines + 1 > 2 ? 2 : c->newlines + 1;
        c->line_started = false;
        c->space_pending = false;
    } else if (str_eq(name, "blockquote")) {
        emit_break(c, 1);
        c->quote_depth += closing ? (c->quote_depth > 0 ? -1 : 0) : 1;
        c->line_started = false;
    } else if (str_eq(name, "li")) {
        emit_break(c, 1);
        if (!closing)
            emit_text(c, "- ", 2);
    } else if (str_eq(name, "td") || str_eq(name, "th")) {
        if (!closing && c->newlines == 0 && c->out->len)
            c->space_pending = true;
    } else if (str_eq(name, "pre")) {
        emit_break(c, 2);
        c->pre_depth += closing ? (c->pre_depth > 0 ? -1 : 0) : 1;
    } else if (str_eq(name, "p") ||
               (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2])) {
        emit_break(c, 2);
    } else if (name_in(name, BLOCK_TAGS)) {
        emit_break(c, 1);
        if (str_eq(name, "hr") && !closing) {
            emit_text(c, "----", 4);
            emit_break(c, 1);
        }
    } else if (str_eq(name, "a")) {
        if (closing) {
            link_end(c);
        } else {
            link_end(c);
            c->href = attr_value(a, p, end, "href", &c->href_len);
            c->link_start = c->out->len;
        }
    } else if (str_eq(name, "img") && !closing) {
        size_t alt_len;
        const char *alt = attr_value(a, p, end, "alt", &alt_len);
        if (alt && alt_len) {
            c->space_pending = true;
            text_run(c, alt, alt + alt_len);
        }
    }
}

/* Removes trailing spaces before each newline and at the end, and blank lines at the end. */
static const char *tidy(Arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            while (w && out[w - 1] == ' ')
                w--;
        out[w++] = s[i];
    }
    while (w && (out[w - 1] == '\n' || out[w - 1] == ' '))
        w--;
    out[w] = '\0';
    return out;
}

const char *html_to_text(Arena *a, const char *html, size_t n)
{
    const char *src = str_utf8_valid(html, n) ? html : str_utf8_repair(a, html, n);
    if (src != html)
        n = strlen(src);
    Buf out;
    buf_init(&out, a);
    buf_puts(&out, "");
    Conv c = {.out = &out};
    const char *p = src, *end = src + n;
    while (p < end) {
        if (*p != '<') {
            const char *q = memchr(p, '<', (size_t)(end - p));
            if (!q)
                q = end;
            text_run(&c, p, q);
            p = q;
            continue;
        }
        if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
            const char *close = NULL;
            for (const char *q = p + 4; q + 3 <= end; q++)
                if (q[0] == '-' && q[1] == '-' && q[2] == '>') {
                    close = q + 3;
                    break;
                }
            p = close ? close : end;
            continue;
        }
        bool looks_like_tag = p + 1 < end && (isalpha((unsigned char)p[1]) || p[1] == '/' ||
                                              p[1] == '!' || p[1] == '?');
        if (!looks_like_tag) {
            text_run(&c, p, p + 1);
            p++;
            continue;
        }
        /* the tag ends at the first '>' outside quotes */
        const char *q = p + 1;
        char quote = 0;
        while (q < end && (quote || *q != '>')) {
            if (quote && *q == quote)
                quote = 0;
            else if (!quote && (*q == '"' || *q == '\'') && q[-1] == '=')
                quote = *q;
            q++;
        }
        tag(&c, a, p + 1, q);
        p = q < end ? q + 1 : end;
    }
    link_end(&c);
    return tidy(a, out.data ? out.data : "", out.len);
}
