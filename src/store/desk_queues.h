/* desk_queues (store): SQL for the agents' queues - how many requests each queue holds, one
 * keyset-paged page of a queue with the desk's filters, and the choices of the filter form
 * (agents, organizations). Decides nothing about who may see it: the domain
 * (domain/desk_queues.c) is only ever called for agents and admins. */
#ifndef PFORTE_STORE_DESK_QUEUES_H
#define PFORTE_STORE_DESK_QUEUES_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* The queues, in menu order. Each is one literal WHERE clause in desk_queues.c. */
typedef enum {
    STORE_QUEUE_UNASSIGNED = 0, /* not resolved or closed, nobody assigned */
    STORE_QUEUE_MINE,           /* not resolved or closed, assigned to arg (the agent) */
    STORE_QUEUE_OPEN,           /* not resolved or closed */
    STORE_QUEUE_WAITING_CUSTOMER,
    STORE_QUEUE_WAITING_SUPPORT,
    STORE_QUEUE_SLA,            /* not resolved or closed, SLA attention time at or before arg
                                   (now): a target at risk or breached (sla_service.h) */
    STORE_QUEUE_RECENTLY_RESOLVED, /* resolved or closed at or after arg (a time) */
    STORE_QUEUE_COUNT
} StoreQueue;

typedef enum {
    STORE_QUEUE_SORT_UPDATED = 0, /* last update, newest first */
    STORE_QUEUE_SORT_OLDEST,      /* last update, oldest first (waiting longest) */
    STORE_QUEUE_SORT_CREATED,     /* creation, newest first */
    STORE_QUEUE_SORT_PRIORITY,    /* priority rank, highest first, then last update */
    STORE_QUEUE_SORT_COUNT
} StoreQueueSort;

/* The rank the priority sort and its cursor use: critical 4, high 3, medium 2, low 1. */
int store_priority_rank(const char *priority);

typedef struct QueueFilter {
    StoreQueue queue;
    int64_t queue_arg;    /* mine: the agent's id; SLA: now; recently resolved: the earliest time */
    int64_t type_id;      /* 0 = any */
    const char *priority; /* "" = any */
    int64_t organization_id; /* the reporter's organization, 0 = any */
    int64_t assignee_id;  /* 0 = anyone, -1 = nobody, else that user */
    const char *match;    /* FTS5 query expression, NULL = no full-text filter */
    StoreQueueSort sort;
    bool backward;        /* rows before the cursor (previous page), nearest the cursor first */
    int64_t cursor_rank;  /* keyset: the page starts after (rank, time, id) in sort order; */
    int64_t cursor_time;  /* rank is used by the priority sort only. The domain passes */
    int64_t cursor_id;    /* values beyond every row for the first page. */
    int limit;
} QueueFilter;

typedef struct QueueRow {
    int64_t id;
    int64_t number;
    char *summary;
    char *status;
    char *priority;
    char *type_key;
    char *type_name_de, *type_name_en;
    int64_t reporter_id;
    char *reporter_name, *reporter_email;
    char *organization_name; /* the reporter's organization, "" when none */
    int64_t assignee_id;     /* 0 = nobody */
    char *assignee_name, *assignee_email;
    int64_t created_at;
    int64_t updated_at;
} QueueRow;

/* Up to f->limit rows into *rows (arena array) in the filter's order (backward: nearest the
 * cursor first). f->match is SQLite FTS5 syntax; on PostgreSQL the same terms become a
 * tsquery over request_search's tsvector (as in the customers' list). */
DbResult store_queue_page(Db *db, Arena *a, const QueueFilter *f, QueueRow **rows, int *count);

/* The number of requests in every queue into counts[STORE_QUEUE_COUNT] (one statement).
 * agent_id: whose "mine"; resolved_since: the recently-resolved queue's earliest time. */
DbResult store_queue_counts(Db *db, int64_t agent_id, int64_t now, int64_t resolved_since,
                            int64_t *counts);

typedef struct QueueChoice {
    int64_t id;
    char *name;
} QueueChoice;

/* Agents and admins who are not disabled, by name (the e-mail address when the name is
 * empty), into *out (arena array). */
DbResult store_queue_agents(Db *db, Arena *a, QueueChoice **out, int *count);
/* Organizations by name, at most limit of them. */
DbResult store_queue_organizations(Db *db, Arena *a, int limit, QueueChoice **out, int *count);

#endif
