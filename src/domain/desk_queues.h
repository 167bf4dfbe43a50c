/* desk_queues (domain): the agents' queues - which queues there are and what belongs in each,
 * their live counts, and one page of a queue filtered (type, priority, the customer's
 * organization, assignee, full text), sorted (last update, oldest first, created, priority)
 * and paged by keyset. No HTTP here: the page hands in the URL's parameters as text.
 * SECURITY: only agents and admins get queues (anyone else: REQUEST_NOT_FOUND). The search
 * text reaches FTS5 only as quoted terms (request_list_match_expression), and the search
 * index holds summary, description and public comments only - internal notes are never
 * matched, for agents either, so nothing internal can show through a result. */
#ifndef PFORTE_DOMAIN_DESK_QUEUES_H
#define PFORTE_DOMAIN_DESK_QUEUES_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/db.h"
#include "store/desk_queues.h"
#include <stdbool.h>
#include <stdint.h>

#define DESK_QUEUE_PAGE_SIZE 25
#define DESK_QUEUE_RECENT_DAYS 7           /* "recently resolved": resolved in these days */
#define DESK_QUEUE_MAX_ORGANIZATIONS 1000  /* organizations offered in the filter */

/* The parameters as they come from the URL (NULL or "" = default). */
typedef struct DeskQueueQuery {
    const char *queue;    /* a DeskQueueInfo key; default "open" */
    const char *sort;     /* updated (default) | oldest | created | priority */
    const char *type;     /* a type key, "" = every type */
    const char *priority; /* low | medium | high | critical, "" = any */
    const char *org;      /* an organization id, "" = any */
    const char *assignee; /* an agent's id, "none" = nobody, "" = anyone */
    const char *q;        /* full text */
    const char *after;    /* cursor: the page after this row */
    const char *before;   /* cursor: the page before this row */
} DeskQueueQuery;

/* The parameters as understood: canonical values (unknown ones fall back to the default, so
 * a bookmarked link never fails), for links and the filter form. */
typedef struct DeskQueueParams {
    const char *queue;
    const char *sort;
    const char *type;
    const char *priority;
    const char *org;      /* "" or the decimal id */
    const char *assignee; /* "", "none" or the decimal id */
    const char *q;
    bool filtered; /* a type, priority, organization, assignee or search text is set */
    bool paged;    /* after= or before= was given */
} DeskQueueParams;

typedef struct DeskQueueInfo {
    const char *key;         /* in the URL: ?queue=KEY */
    const char *name;        /* English msgid */
    const char *empty_title; /* English msgids of the queue's empty state */
    const char *empty_text;
    int64_t count;           /* requests in the queue now (without the filters) */
} DeskQueueInfo;

typedef struct DeskQueueItem {
    int64_t id;
    const char *key; /* "SUP-42" */
    const char *summary;
    const char *status;
    const char *priority;
    const char *type_name; /* in the viewer's language */
    const char *customer;  /* the reporter's name, or their e-mail address */
    const char *customer_email;
    const char *organization; /* the reporter's organization, "" when none */
    const char *assignee;     /* "" = nobody */
    bool assigned_to_viewer;
    int64_t created_at;
    int64_t updated_at;
} DeskQueueItem;

typedef struct DeskQueuePage {
    DeskQueueParams params;
    DeskQueueInfo queues[STORE_QUEUE_COUNT]; /* in menu order, with counts */
    int queue_count;
    int current; /* index of params.queue in queues */
    DeskQueueItem *items;
    int count;
    const char *next_cursor; /* for ?after=, NULL on the last page */
    const char *prev_cursor; /* for ?before=, NULL on the first page */
    QueueChoice *agents;     /* the filter's choices */
    int agent_count;
    QueueChoice *organizations;
    int organization_count;
} DeskQueuePage;

/* Reads the queues' counts and one page of the chosen queue for viewer, who must be an agent
 * or admin (else REQUEST_NOT_FOUND). lang picks the type names. REQUEST_UNAVAILABLE / ERROR on
 * database trouble. Everything lives in a. */
RequestResult desk_queue_read(Db *db, Arena *a, const Viewer *viewer, const char *lang,
                              const DeskQueueQuery *query, DeskQueuePage *out);

/* The English msgid naming a priority for people ("High"); the key itself when unknown. */
const char *desk_priority_msgid(const char *priority);

/* Parses a cursor: "<time>.<id>", or "<rank>.<time>.<id>" when with_rank (the priority
 * sort); every part non-negative decimal. False for anything else. Exposed for tests. */
bool desk_queue_parse_cursor(const char *text, bool with_rank, int64_t *rank, int64_t *time,
                             int64_t *id);

#endif
