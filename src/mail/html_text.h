/* html_text: turns the HTML body of an inbound mail into readable plain text - block elements
 * become line breaks, list items "- ", blockquotes "> " (so quoted replies can be cut like
 * plain-text ones), entities decoded, script/style/head dropped, links kept as "text (url)".
 * Pure and bounded: one pass over the input, output never longer than a fixed factor of it.
 * SECURITY: the result is plain text; nothing of the markup survives as markup. */
#ifndef PFORTE_MAIL_HTML_TEXT_H
#define PFORTE_MAIL_HTML_TEXT_H
#include "core/arena.h"
#include <stddef.h>

/* The text of html[0..n) (UTF-8 expected; invalid bytes are repaired to U+FFFD), lines ended
 * by "\n", no trailing blank lines; allocated in a. */
const char *html_to_text(Arena *a, const char *html, size_t n);

#endif
