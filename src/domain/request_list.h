/* request_list (domain): the "Anfragen" overview - which requests a viewer sees, filtered
 * (scope, status, type, full text), ordered (last update or creation) and paged by keyset.
 * No HTTP here: the page hands in the query parameters as text.
 * SECURITY: a customer's list holds only requests they created, take part in, or that are
 * shared with their organization; agents and admins see all. The full-text query is passed
 * to the search engine only as quoted terms, never as its own syntax. */
#ifndef PFORTE_DOMAIN_REQUEST_LIST_H
#define PFORTE_DOMAIN_REQUEST_LIST_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define REQUEST_LIST_PAGE_SIZE 25
#define REQUEST_LIST_MAX_QUERY 200 /* code points of the search text */
#define REQUEST_LIST_MAX_TERMS 8

/* The list's parameters as they come from the URL (NULL or "" = default). */
typedef struct RequestListQuery {
    const char *scope;  /* mine | shared | all (default) */
    const char *status; /* open | closed | all (default) */
    const char *type;   /* a type key, or empty for every type */
    const char *q;      /* full text */
    const char *sort;   /* updated (default) | created */
    const char *after;  /* "<time>.<id>": the page after this row */
    const char *before; /* "<time>.<id>": the page before this row */
} RequestListQuery;

/* The parameters as understood (canonical values, for links and the filter form). */
typedef struct RequestListParams {
    const char *scope;
    const char *status;
    const char *type;   /* "" = every type */
    const char *q;      /* trimmed, "" = none */
    const char *sort;
    bool filtered;      /* anything but the defaults (scope all, status all, no type, no q) */
    bool paged;         /* after= or before= was given */
} RequestListParams;

typedef struct RequestListItem {
    int64_t id;
    const char *key;
    const char *summary;
    const char *type_key;
    const char *type_name;  /* in the viewer's language */
    const char *status;
    int64_t reporter_id;
    const char *reporter_name; /* the e-mail address when the name is empty */
    bool reported_by_viewer;
    int64_t created_at;
    int64_t updated_at;
} RequestListItem;

typedef struct RequestListPage {
    RequestListParams params;
    RequestListItem *items; /* arena array */
    int count;
    const char *next_cursor; /* for ?after=, NULL when this is the last page */
    const char *prev_cursor; /* for ?before=, NULL when this is the first page */
} RequestListPage;

/* Reads one page of viewer's list. lang picks the type names. Unknown parameter values fall
 * back to their defaults (a bookmarked link never fails). REQUEST_UNAVAILABLE / ERROR on
 * database trouble. Everything lives in a. */
RequestResult request_list_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *lang,
                                      const RequestListQuery *query, RequestListPage *out);

/* Turns search text into an FTS5 query of quoted terms (prefix match for terms of 3 or more
 * characters), or NULL when it holds no searchable word. Exposed for tests. */
const char *request_list_match_expression(Arena *a, const char *text);
/* Search text as the lists use it: trimmed, cut to REQUEST_LIST_MAX_QUERY code points, ""
 * for invalid UTF-8 (in a). The customer list and the desk's queues share it. */
const char *request_list_clean_query(Arena *a, const char *q);
/* Parses "<time>.<id>" (both non-negative decimal); false for anything else. */
bool request_list_parse_cursor(const char *text, int64_t *time, int64_t *id);

#endif
