/* markdown (domain): turns the Markdown customers and agents write (comments, descriptions)
 * into HTML that is safe to put into a page as it is.
 * SECURITY: cmark-gfm in safe mode - raw HTML is never passed through (it is shown as the
 * text that was typed); links are kept only for absolute http, https and mailto URLs
 * (url_is_safe) and get rel="nofollow noopener noreferrer"; images become plain links (no
 * remote images or data: URLs in pages); invalid UTF-8 is replaced. The result is the only
 * kind of text besides the template engine's own that may become a SafeHtml value. */
#ifndef PFORTE_DOMAIN_MARKDOWN_H
#define PFORTE_DOMAIN_MARKDOWN_H
#include "core/arena.h"
#include <stddef.h>

/* Longest Markdown source rendered, in bytes; longer input is cut at a UTF-8 boundary
 * (callers limit what users may save well below this). */
#define MARKDOWN_MAX_INPUT (256 * 1024)

/* Renders src[0..n) (GFM: autolinks, strikethrough, tables; single newlines become line
 * breaks; headings are moved down to h4-h6 so they stay below the page's own). Returns
 * NUL-terminated HTML in a ("" for empty input). Never NULL: when the renderer fails, the
 * text comes back HTML-escaped inside a paragraph. Thread-safe. */
const char *markdown_render(Arena *a, const char *src, size_t n);

#endif
