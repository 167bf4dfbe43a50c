/* markdown: cmark-gfm with the GFM extensions customers expect (autolinks, strikethrough,
 * tables), then a pass over the syntax tree that makes links, images and raw HTML harmless
 * before cmark's own safe-mode HTML renderer writes the result.
 * SECURITY: raw HTML becomes literal text or a code block; a link survives only with an
 * absolute http(s) or mailto URL (cmark escapes it) and gets rel=nofollow noopener
 * noreferrer; images never load anything - they become links, or their alt text. */
#include "domain/markdown.h"
#include "core/buf.h"
#include "core/str.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARKDOWN_OPTIONS                                                                           \
    (CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8 |                             \
     CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)
#define HEADING_SHIFT 3 /* "# x" in a comment becomes <h4>: the page owns h1-h3 */

static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

static void extensions_register(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/* Links in user text: absolute http(s) or mailto only - no relative paths into the portal,
 * no javascript:, data: or file: (url_is_safe also refuses control characters). */
static bool link_allowed(const char *url)
{
    if (!url || !url_is_safe(url))
        return false;
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0 ||
           (strncasecmp(url, "mailto:", 7) == 0 && url[7]);
}

typedef struct NodeList {
    cmark_node **items;
    size_t count, cap;
    Arena *arena;
} NodeList;

static void list_push(NodeList *l, cmark_node *node)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        l->items =
            arena_realloc(l->arena, l->items, l->cap * sizeof *l->items, cap * sizeof *l->items);
        l->cap = cap;
    }
    l->items[l->count++] = node;
}

/* Moves node's children in front of it and deletes it ("[text](bad)" -> "text"). */
static void node_unwrap(cmark_node *node)
{
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL)
        cmark_node_insert_before(node, child);
    cmark_node_unlink(node);
    cmark_node_free(node);
}

static void node_replace_with_literal(cmark_node *node, cmark_node_type type)
{
    cmark_node *text = cmark_node_new(type);
    const char *literal = cmark_node_get_literal(node);
    cmark_node_set_literal(text, literal ? literal : "");
    if (!cmark_node_replace(node, text)) {
        cmark_node_free(text);
        cmark_node_set_literal(node, ""); /* cannot happen for HTML nodes; never pass it raw */
        cmark_node_unlink(node);
    }
    cmark_node_free(node);
}

static bool inside_link(cmark_node *node)
{
    for (cmark_node *p = cmark_node_parent(node); p; p = cmark_node_parent(p))
        if (cmark_node_get_type(p) == CMARK_NODE_LINK)
            return true;
    return false;
}

/* Replaces an image with a link to it; its alt text stays the link's text. A plain LINK node
 * (not a custom one) because table cells accept only the standard inline kinds. */
static void image_to_link(cmark_node *image, const char *url, const char *title)
{
    cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
    cmark_node_set_url(link, url);
    cmark_node_set_title(link, title ? title : "");
    cmark_node *child;
    while ((child = cmark_node_first_child(image)) != NULL)
        cmark_node_append_child(link, child);
    if (!cmark_node_first_child(link)) { /* ![](url): show the address as the text */
        cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
        cmark_node_set_literal(text, url);
        cmark_node_append_child(link, text);
    }
    if (cmark_node_replace(image, link)) {
        cmark_node_free(image);
        return;
    }
    while ((child = cmark_node_first_child(link)) != NULL) /* not allowed here: text only */
        cmark_node_append_child(image, child);
    cmark_node_free(link);
    node_unwrap(image);
}

static void collect(cmark_node *doc, NodeList *first, NodeList *links)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *node = cmark_iter_get_node(it);
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_LINK:
            list_push(links, node);
            break;
        case CMARK_NODE_IMAGE:
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_HTML_INLINE:
        case CMARK_NODE_HEADING:
            list_push(first, node);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* Makes the tree safe to render; nodes are changed only after the walk (cmark's rule). */
static void sanitize_tree(Arena *a, cmark_node *doc)
{
    NodeList first = {NULL, 0, 0, a}, links = {NULL, 0, 0, a};
    collect(doc, &first, &links);
    for (size_t i = 0; i < first.count; i++) {
        cmark_node *node = first.items[i];
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_HTML_BLOCK:
            node_replace_with_literal(node, CMARK_NODE_CODE_BLOCK);
            break;
        case CMARK_NODE_HTML_INLINE:
            node_replace_with_literal(node, CMARK_NODE_TEXT);
            break;
        case CMARK_NODE_HEADING: {
            int level = cmark_node_get_heading_level(node) + HEADING_SHIFT;
            cmark_node_set_heading_level(node, level > 6 ? 6 : level);
            break;
        }
        case CMARK_NODE_IMAGE: {
            const char *url = cmark_node_get_url(node);
            if (link_allowed(url) && !inside_link(node))
                image_to_link(node, url, cmark_node_get_title(node));
            else
                node_unwrap(node);
            break;
        }
        default:
            break;
        }
    }
    for (size_t i = 0; i < links.count; i++) {
        cmark_node *node = links.items[i];
        if (!link_allowed(cmark_node_get_url(node)) || inside_link(node))
            node_unwrap(node);
    }
}

/* Every "<a href=" in cmark's output is a link node we kept (text, code and raw HTML come out
 * escaped, so "<a" cannot be typed): each gets rel=nofollow noopener noreferrer. */
static const char *add_link_rel(Arena *a, const char *html)
{
    static const char OPEN[] = "<a href=\"";
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    const char *p = html, *hit;
    while ((hit = strstr(p, OPEN)) != NULL) {
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, "<a rel=\"nofollow noopener noreferrer\" href=\"");
        p = hit + sizeof OPEN - 1;
    }
    buf_puts(&b, p);
    return buf_cstr(&b);
}

static void attach_extension(cmark_parser *parser, const char *name)
{
    cmark_syntax_extension *ext = cmark_find_syntax_extension(name);
    if (ext)
        cmark_parser_attach_syntax_extension(parser, ext);
}

static const char *render_fallback(Arena *a, const char *src, size_t n)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "<p>");
    buf_append_html(&b, src, n);
    buf_puts(&b, "</p>");
    return buf_cstr(&b);
}

/* Length of the longest prefix of src[0..n) that is at most max bytes and does not end
 * inside a UTF-8 sequence. */
static size_t cut_utf8(const char *src, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)src[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

/* ---- what this thread rendered recently ----
 * A request's page renders its description and every comment at each view: about 18,000
 * instructions for a short comment, a third of a page with 50 of them. The rendering depends
 * on the source alone, so each thread keeps the HTML of recent sources: direct-mapped by a
 * hash of the source, and an entry holds its source, so a collision only misses. At most
 * CACHE_BYTES per thread; when the next entry would not fit, the cache starts empty. Freed
 * when the thread ends (a pthread key's destructor). */
#define CACHE_SLOTS 512
#define CACHE_BYTES (256 * 1024)
#define CACHE_MAX_SOURCE (8 * 1024) /* longer sources are rendered every time */

typedef struct CacheEntry {
    uint64_t hash;
    size_t src_len, html_len;
    char *src; /* src_len bytes, then the HTML and its NUL: one allocation */
} CacheEntry;

typedef struct Cache {
    size_t bytes;
    CacheEntry slots[CACHE_SLOTS];
} Cache;

static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;
static _Thread_local Cache *thread_cache;

static void cache_clear(Cache *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slots[i].src);
        c->slots[i].src = NULL;
    }
    c->bytes = 0;
}

static void cache_destroy(void *p)
{
    cache_clear(p);
    free(p);
    thread_cache = NULL; /* a later destructor of this thread that renders starts a new one */
}

static void cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_destroy);
}

static Cache *cache_get(void)
{
    if (!thread_cache) {
        pthread_once(&cache_key_once, cache_key_create);
        thread_cache = calloc(1, sizeof *thread_cache);
        if (thread_cache && pthread_setspecific(cache_key, thread_cache) != 0) {
            free(thread_cache);
            thread_cache = NULL;
        }
    }
    return thread_cache;
}

static void cache_put(Cache *c, CacheEntry *slot, uint64_t hash, const char *src, size_t n,
                      const char *html)
{
    size_t html_len = strlen(html);
    size_t size = n + html_len + 1;
    if (slot->src) {
        c->bytes -= slot->src_len + slot->html_len + 1;
        free(slot->src);
        slot->src = NULL;
    }
    if (c->bytes + size > CACHE_BYTES)
        cache_clear(c);
    char *mem = size <= CACHE_BYTES ? malloc(size) : NULL;
    if (!mem)
        return;
    memcpy(mem, src, n);
    memcpy(mem + n, html, html_len + 1);
    *slot = (CacheEntry){.hash = hash, .src_len = n, .html_len = html_len, .src = mem};
    c->bytes += size;
}

static const char *render(Arena *a, const char *src, size_t n, bool *rendered);

const char *markdown_render(Arena *a, const char *src, size_t n)
{
    if (!src || n == 0)
        return "";
    n = cut_utf8(src, n, MARKDOWN_MAX_INPUT);
    Cache *c = n <= CACHE_MAX_SOURCE ? cache_get() : NULL;
    bool rendered;
    if (!c)
        return render(a, src, n, &rendered);
    uint64_t hash = str_hash(STR_HASH_SEED, src, n);
    CacheEntry *slot = &c->slots[hash % CACHE_SLOTS];
    if (slot->src && slot->hash == hash && slot->src_len == n && memcmp(slot->src, src, n) == 0)
        return arena_strndup(a, slot->src + n, slot->html_len);
    const char *html = render(a, src, n, &rendered);
    if (rendered) /* not the fallback of a failed rendering: the next view tries again */
        cache_put(c, slot, hash, src, n, html);
    return html;
}

/* *rendered: false when the text comes back escaped because cmark failed. */
static const char *render(Arena *a, const char *src, size_t n, bool *rendered)
{
    *rendered = false;
    pthread_once(&extensions_once, extensions_register);
    cmark_parser *parser = cmark_parser_new(MARKDOWN_OPTIONS);
    if (!parser)
        return render_fallback(a, src, n);
    attach_extension(parser, "autolink");
    attach_extension(parser, "strikethrough");
    attach_extension(parser, "table");
    cmark_parser_feed(parser, src, n);
    cmark_node *doc = cmark_parser_finish(parser);
    const char *out = NULL;
    if (doc) {
        sanitize_tree(a, doc);
        char *html =
            cmark_render_html(doc, MARKDOWN_OPTIONS, cmark_parser_get_syntax_extensions(parser));
        if (html) {
            out = add_link_rel(a, html);
            cmark_get_default_mem_allocator()->free(html);
        }
        cmark_node_free(doc);
    }
    cmark_parser_free(parser);
    *rendered = out != NULL;
    return out ? out : render_fallback(a, src, n);
}
