/* i18n: parses gettext .po catalogs into hash tables and answers lookups; picks a request's
 * language. Catalogs are immutable once published, so lookups need no lock (dev mode aside);
 * a catalog is never freed while the process runs, because callers keep the returned text. */
#include "core/i18n.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/assets.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LANG_COUNT I18N_LANG_COUNT
static const char *const LANGS[LANG_COUNT] = {"de", "en"};
static const char *const CATALOG_PATHS[LANG_COUNT] = {"locale/de.po", "locale/en.po"};

typedef struct CatalogEntry {
    uint64_t hash;
    const char *key; /* msgid, or msgctxt "\004" msgid */
    size_t key_len;
    const char *msgstr;
} CatalogEntry;

struct Catalog {
    Arena arena;
    CatalogEntry *slots; /* open addressing, cap is a power of two */
    size_t cap;
    size_t count;
    unsigned char *source; /* dev mode: the bytes parsed, to notice changes */
    size_t source_len;
    Catalog *retired_next;
};

/* ---- hashing and the table ---- */

static uint64_t hash_key(const char *ctx, size_t ctx_len, const char *id, size_t id_len)
{
    uint64_t h = STR_HASH_SEED;
    if (ctx) {
        h = str_hash(h, ctx, ctx_len);
        h = str_hash(h, "\004", 1);
    }
    return str_hash(h, id, id_len);
}

static bool key_equal(const CatalogEntry *e, const char *ctx, size_t ctx_len, const char *id,
                      size_t id_len)
{
    if (!ctx)
        return e->key_len == id_len && memcmp(e->key, id, id_len) == 0;
    return e->key_len == ctx_len + 1 + id_len && memcmp(e->key, ctx, ctx_len) == 0 &&
           e->key[ctx_len] == '\004' && memcmp(e->key + ctx_len + 1, id, id_len) == 0;
}

static CatalogEntry *table_slot(const Catalog *c, uint64_t h, const char *ctx, size_t ctx_len,
                                const char *id, size_t id_len)
{
    size_t mask = c->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        CatalogEntry *e = &c->slots[i];
        if (!e->key || (e->hash == h && key_equal(e, ctx, ctx_len, id, id_len)))
            return e;
    }
}

static void table_grow(Catalog *c)
{
    CatalogEntry *old = c->slots;
    size_t old_cap = c->cap;
    c->cap = old_cap ? old_cap * 2 : 64;
    c->slots = xcalloc(c->cap, sizeof *c->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key)
            continue;
        size_t mask = c->cap - 1, j = (size_t)old[i].hash & mask;
        while (c->slots[j].key)
            j = (j + 1) & mask;
        c->slots[j] = old[i];
    }
    free(old);
}

static const char *buf_text(const Buf *b)
{
    return b->data ? b->data : "";
}

/* Returns false when the key is already present. */
static bool table_insert(Catalog *c, const Buf *ctx, bool has_ctx, const Buf *id, const Buf *str)
{
    if ((c->count + 1) * 2 > c->cap)
        table_grow(c);
    const char *ctx_text = has_ctx ? buf_text(ctx) : NULL;
    size_t ctx_len = has_ctx ? ctx->len : 0;
    uint64_t h = hash_key(ctx_text, ctx_len, buf_text(id), id->len);
    CatalogEntry *e = table_slot(c, h, ctx_text, ctx_len, buf_text(id), id->len);
    if (e->key)
        return false;
    Buf key;
    buf_init(&key, &c->arena);
    if (has_ctx) {
        buf_append(&key, ctx_text, ctx_len);
        buf_putc(&key, '\004');
    }
    buf_append(&key, buf_text(id), id->len);
    e->hash = h;
    e->key = buf_cstr(&key);
    e->key_len = key.len;
    e->msgstr = arena_strndup(&c->arena, buf_text(str), str->len);
    c->count++;
    return true;
}

const char *i18n_catalog_lookup(const Catalog *c, const char *ctx, const char *msgid)
{
    if (!c || !msgid || c->count == 0)
        return NULL;
    size_t ctx_len = ctx ? strlen(ctx) : 0, id_len = strlen(msgid);
    uint64_t h = hash_key(ctx, ctx_len, msgid, id_len);
    const CatalogEntry *e = table_slot(c, h, ctx, ctx_len, msgid, id_len);
    return e->key ? e->msgstr : NULL;
}

size_t i18n_catalog_count(const Catalog *c)
{
    return c ? c->count : 0;
}

void i18n_catalog_free(Catalog *c)
{
    if (!c)
        return;
    arena_free(&c->arena);
    free(c->slots);
    free(c->source);
    free(c);
}

/* ---- the .po parser ---- */

enum { FIELD_NONE, FIELD_CTX, FIELD_ID, FIELD_PLURAL, FIELD_STR, FIELD_OTHER_STR };

typedef struct PoParser {
    Catalog *cat;
    const char *name;
    size_t line;
    Buf ctx, id, plural, str, discard;
    bool has_ctx, has_id, has_str, fuzzy;
    int field; /* where continuation lines go */
    Buf *err;
    bool failed;
} PoParser;

static bool po_fail(PoParser *p, const char *msg)
{
    if (p->err)
        buf_printf(p->err, "%s:%zu: %s\n", p->name, p->line, msg);
    p->failed = true;
    return false;
}

static void po_reset_entry(PoParser *p)
{
    buf_clear(&p->ctx);
    buf_clear(&p->id);
    buf_clear(&p->plural);
    buf_clear(&p->str);
    p->has_ctx = p->has_id = p->has_str = p->fuzzy = false;
    p->field = FIELD_NONE;
}

static bool po_finish_entry(PoParser *p)
{
    if (!p->has_ctx && !p->has_id)
        return true; /* only comments so far; a fuzzy flag waits for its entry */
    if (!p->has_id || !p->has_str)
        return po_fail(p, p->has_id ? "msgid without msgstr" : "msgctxt without msgid");
    bool header = !p->has_ctx && p->id.len == 0;
    if (!header && !p->fuzzy && p->str.len > 0 &&
        !table_insert(p->cat, &p->ctx, p->has_ctx, &p->id, &p->str))
        return po_fail(p, "duplicate msgid");
    po_reset_entry(p);
    return true;
}

static int po_escape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case '"':
        return '"';
    case '\\':
        return '\\';
    case 'a':
        return '\a';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'v':
        return '\v';
    default:
        return -1;
    }
}

/* Appends the decoded "..." literal at s[0..n) to out; only blanks may follow it. */
static bool po_string(PoParser *p, const char *s, size_t n, Buf *out)
{
    if (n == 0 || s[0] != '"')
        return po_fail(p, "expected a \"quoted string\"");
    size_t i = 1;
    for (; i < n && s[i] != '"'; i++) {
        if (s[i] != '\\') {
            buf_putc(out, s[i]);
            continue;
        }
        int c = i + 1 < n ? po_escape(s[i + 1]) : -1;
        if (c < 0)
            return po_fail(p, "unknown escape sequence in string");
        buf_putc(out, (char)c);
        i++;
    }
    if (i >= n)
        return po_fail(p, "unterminated string");
    for (i++; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return po_fail(p, "unexpected text after string");
    return true;
}

static Buf *po_field_buf(PoParser *p, int field)
{
    switch (field) {
    case FIELD_CTX:
        return &p->ctx;
    case FIELD_ID:
        return &p->id;
    case FIELD_PLURAL:
        return &p->plural;
    case FIELD_STR:
        return &p->str;
    default:
        return &p->discard;
    }
}

/* Starts a new field for keyword kw; returns false on an out-of-order keyword. */
static bool po_keyword(PoParser *p, const char *kw, size_t kn)
{
    bool starts_entry =
        (kn == 7 && memcmp(kw, "msgctxt", 7) == 0) || (kn == 5 && memcmp(kw, "msgid", 5) == 0);
    if (starts_entry && p->has_str && !po_finish_entry(p))
        return false;
    if (kn == 7 && memcmp(kw, "msgctxt", 7) == 0) {
        if (p->has_ctx || p->has_id)
            return po_fail(p, "msgctxt out of place");
        p->has_ctx = true;
        p->field = FIELD_CTX;
    } else if (kn == 5 && memcmp(kw, "msgid", 5) == 0) {
        if (p->has_id)
            return po_fail(p, "msgid out of place");
        p->has_id = true;
        p->field = FIELD_ID;
    } else if (kn == 12 && memcmp(kw, "msgid_plural", 12) == 0) {
        if (!p->has_id || p->has_str || p->field == FIELD_PLURAL)
            return po_fail(p, "msgid_plural out of place");
        p->field = FIELD_PLURAL;
    } else if ((kn == 6 && memcmp(kw, "msgstr", 6) == 0) ||
               (kn == 9 && memcmp(kw, "msgstr[0]", 9) == 0)) {
        if (!p->has_id || p->has_str)
            return po_fail(p, "msgstr out of place");
        p->has_str = true;
        p->field = FIELD_STR;
    } else if (kn > 8 && memcmp(kw, "msgstr[", 7) == 0 && kw[kn - 1] == ']') {
        if (!p->has_str)
            return po_fail(p, "msgstr[N] out of place");
        buf_clear(&p->discard);
        p->field = FIELD_OTHER_STR;
    } else {
        return po_fail(p, "unknown keyword");
    }
    return true;
}

static bool po_comment(PoParser *p, const char *s, size_t n)
{
    if (p->has_str && !po_finish_entry(p))
        return false;
    if (n >= 2 && s[1] == ',') {
        for (size_t i = 2; i + 5 <= n; i++)
            if (memcmp(s + i, "fuzzy", 5) == 0)
                p->fuzzy = true;
    }
    return true;
}

static bool po_line(PoParser *p, const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n == 0) /* a blank line ends an entry */
        return p->has_str ? po_finish_entry(p) : true;
    if (s[0] == '#')
        return po_comment(p, s, n);
    if (s[0] == '"') {
        if (p->field == FIELD_NONE)
            return po_fail(p, "string without keyword");
        return po_string(p, s, n, po_field_buf(p, p->field));
    }
    size_t kn = 0;
    while (kn < n && s[kn] != ' ' && s[kn] != '\t' && s[kn] != '"')
        kn++;
    if (!po_keyword(p, s, kn))
        return false;
    size_t i = kn;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return po_string(p, s + i, n - i, po_field_buf(p, p->field));
}

Catalog *i18n_catalog_parse(const char *name, const char *src, size_t n, Buf *err, bool *ok)
{
    Catalog *c = xcalloc(1, sizeof *c);
    arena_init(&c->arena, 16384);
    table_grow(c);
    PoParser p = {.cat = c, .name = name ? name : "<po>", .err = err};
    buf_init(&p.ctx, NULL);
    buf_init(&p.id, NULL);
    buf_init(&p.plural, NULL);
    buf_init(&p.str, NULL);
    buf_init(&p.discard, NULL);
    size_t pos = 0;
    while (pos < n && !p.failed) {
        const char *nl = memchr(src + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - src) : n;
        p.line++;
        po_line(&p, src + pos, end - pos);
        pos = end + 1;
    }
    if (!p.failed)
        po_finish_entry(&p);
    buf_free(&p.ctx);
    buf_free(&p.id);
    buf_free(&p.plural);
    buf_free(&p.str);
    buf_free(&p.discard);
    if (ok)
        *ok = !p.failed;
    return c;
}

/* ---- process-wide catalogs ---- */

static Catalog *embedded_catalogs[LANG_COUNT];
static pthread_once_t embedded_once = PTHREAD_ONCE_INIT;
static bool embedded_ok;
static Buf embedded_err; /* heap; immutable after embedded_once */

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static Catalog *dev_catalogs[LANG_COUNT];
static Catalog *dev_retired; /* superseded dev catalogs: callers may still hold their text */

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

static const EmbeddedFile *embedded_file(const char *path)
{
    for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}

static void embedded_load(void)
{
    buf_init(&embedded_err, NULL);
    embedded_ok = true;
    for (int i = 0; i < LANG_COUNT; i++) {
        const EmbeddedFile *f = embedded_file(CATALOG_PATHS[i]);
        if (!f) {
            buf_printf(&embedded_err, "%s: missing\n", CATALOG_PATHS[i]);
            embedded_ok = false;
            continue;
        }
        bool ok;
        embedded_catalogs[i] = i18n_catalog_parse(CATALOG_PATHS[i], (const char *)f->data, f->size,
                                                  &embedded_err, &ok);
        embedded_ok = embedded_ok && ok;
    }
    if (!embedded_ok)
        log_each_line("i18n_load_failed", buf_cstr(&embedded_err));
}

bool i18n_init(Buf *err)
{
    pthread_once(&embedded_once, embedded_load);
    if (err && embedded_err.len)
        buf_append(err, embedded_err.data, embedded_err.len);
    return embedded_ok;
}

/* Dev mode: re-reads the file and swaps in a new catalog when its bytes changed.
 * Caller holds dev_lock. */
static Catalog *dev_catalog(int lang)
{
    size_t size = 0;
    const unsigned char *data = assets_find(CATALOG_PATHS[lang], &size);
    Catalog *cur = dev_catalogs[lang];
    if (!data)
        return cur;
    if (cur && cur->source_len == size && memcmp(cur->source, data, size) == 0)
        return cur;
    Buf err;
    buf_init(&err, NULL);
    bool ok;
    Catalog *c = i18n_catalog_parse(CATALOG_PATHS[lang], (const char *)data, size, &err, &ok);
    if (!ok)
        log_each_line("i18n_load_failed", buf_cstr(&err));
    buf_free(&err);
    c->source = xmalloc(size ? size : 1);
    memcpy(c->source, data, size);
    c->source_len = size;
    if (cur) {
        cur->retired_next = dev_retired;
        dev_retired = cur;
    }
    dev_catalogs[lang] = c;
    return c;
}

int i18n_lang_slot(const char *lang)
{
    return lang && strcmp(lang, "en") == 0 ? 1 : 0;
}

const char *i18n_lang_code(int slot)
{
    return LANGS[slot >= 0 && slot < LANG_COUNT ? slot : 0];
}

const char *i18n_get_ctx(const char *lang, const char *ctx, const char *msgid)
{
    if (!msgid)
        return "";
    int li = i18n_lang_slot(lang);
    const char *found;
    if (assets_dev()) {
        pthread_mutex_lock(&dev_lock);
        found = i18n_catalog_lookup(dev_catalog(li), ctx, msgid);
        pthread_mutex_unlock(&dev_lock);
    } else {
        pthread_once(&embedded_once, embedded_load);
        found = i18n_catalog_lookup(embedded_catalogs[li], ctx, msgid);
    }
    return found ? found : msgid;
}

const char *i18n_get(const char *lang, const char *msgid)
{
    return i18n_get_ctx(lang, NULL, msgid);
}

/* ---- language choice ---- */

/* Maps a language tag s[0..n) such as "en", "EN-us", "de_AT" to a supported code or NULL. */
static const char *lang_from_tag(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    size_t primary = 0;
    while (primary < n && s[primary] != '-' && s[primary] != '_')
        primary++;
    if (primary != 2)
        return NULL;
    for (int i = 0; i < LANG_COUNT; i++)
        if (strncasecmp(s, LANGS[i], 2) == 0)
            return LANGS[i];
    return NULL;
}

static const char *lang_from_string(const char *s)
{
    return s ? lang_from_tag(s, strlen(s)) : NULL;
}

bool i18n_lang_supported(const char *lang)
{
    return lang_from_string(lang) != NULL;
}

/* Parses a q-value ("1", "0.8", "0.125") into thousandths; -1 when malformed. */
static int parse_qvalue(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int value = (s[0] - '0') * 1000, scale = 100;
    if (n > 1 && (s[1] != '.' || n > 5))
        return -1;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        value += (s[i] - '0') * scale;
    }
    return value > 1000 ? -1 : value;
}

/* Returns the q-value in thousandths of one Accept-Language item's parameters. */
static int item_quality(const char *params, size_t n)
{
    int q = 1000;
    size_t i = 0;
    while (i < n) {
        while (i < n && (params[i] == ';' || params[i] == ' ' || params[i] == '\t'))
            i++;
        size_t start = i;
        while (i < n && params[i] != ';')
            i++;
        if (i - start >= 2 && (params[start] == 'q' || params[start] == 'Q') &&
            params[start + 1] == '=')
            q = parse_qvalue(params + start + 2, i - start - 2);
    }
    return q;
}

static const char *lang_from_accept(const char *header)
{
    const char *best = NULL;
    int best_q = 0;
    const char *s = header;
    while (s && *s) {
        size_t len = strcspn(s, ",");
        size_t tag_len = strcspn(s, ";,");
        const char *lang = lang_from_tag(s, tag_len);
        int q = item_quality(s + tag_len, len - tag_len);
        if (lang && q > best_q) {
            best = lang;
            best_q = q;
        }
        s += len;
        if (*s == ',')
            s++;
    }
    return best;
}

const char *i18n_pick_lang(const char *query_lang, const char *cookie_lang, const char *user_lang,
                           const char *accept_language)
{
    const char *lang = lang_from_string(user_lang);
    if (!lang)
        lang = lang_from_string(query_lang);
    if (!lang)
        lang = lang_from_string(cookie_lang);
    if (!lang)
        lang = lang_from_accept(accept_language);
    return lang ? lang : "de";
}
