/* list_page: the links and choices that the filtered, keyset-paged list pages (the
 * customer's /requests, the agents' /desk) build alike - the query string of the filters that
 * differ from their defaults, the page's URL with it, the pager and a <select> option.
 * Filter values are URL-encoded here; they reach the page only through escaping {{...}}. */
#ifndef PFORTE_WEB_LIST_PAGE_H
#define PFORTE_WEB_LIST_PAGE_H
#include "core/arena.h"
#include "web/template.h"
#include <stdbool.h>

/* "name=value&..." for each of the n filters whose value differs from its default, each
 * followed by '&' ("" when none does). */
const char *list_page_query(Arena *a, int n, const char *const names[],
                            const char *const values[], const char *const defaults[]);
/* path?query without the query's trailing '&', or path when query is "". */
const char *list_page_url(Arena *a, const char *path, const char *query);
/* next_url, prev_url (path?query after=/before=cursor), first_url (when paged) and
 * has_pager. */
void list_page_pager(Arena *a, View *v, const char *path, const char *query,
                     const char *next_cursor, const char *prev_cursor, bool paged);
/* One option {value, label, selected} of the list `list`; selected when value is current.
 * value and label are kept by reference: they must outlive the view (literals, translations,
 * the request's arena). */
void list_page_choice(View *v, const char *list, const char *value, const char *label,
                      const char *current);

#endif
