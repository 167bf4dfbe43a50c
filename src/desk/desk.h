/* desk: the agents' and admins' side under /desk - queues, the agent's view of a request,
 * reports and the admin pages. Every handler starts with desk_require_agent or
 * desk_require_admin.
 * SECURITY: customers get 404 for every /desk URL (the desk's existence is not confirmed to
 * them); visitors who are not signed in are sent to the login page. */
#ifndef PFORTE_DESK_DESK_H
#define PFORTE_DESK_DESK_H
#include "domain/accounts.h"
#include "http/router.h"
#include "web/template.h"

/* Each part of the desk owns one route table; src/cli/serve.c joins them. */
extern const Route DESK_ROUTES[];   /* desk/desk_routes.c: the agent's request view */
extern const Route QUEUE_ROUTES[];  /* desk/queue_routes.c: the queues (GET /desk) */
extern const Route ADMIN_ROUTES[];  /* desk/admin_routes.c: types, users, organizations, settings */
extern const Route REPORT_ROUTES[]; /* desk/report_routes.c: the reports dashboard */
extern const Route SLA_ROUTES[];    /* desk/sla_routes.c: SLA targets and working hours */

/* The signed-in agent or admin; otherwise answers (login redirect or 404) and returns NULL. */
SignedIn *desk_require_agent(Request *req, Response *res);
/* The signed-in admin; otherwise answers (login redirect or 404) and returns NULL. */
SignedIn *desk_require_admin(Request *req, Response *res);
/* A page View with the desk's navigation; section is one of "queues", "reports", "admin"
 * (highlighted in the navigation). Render with page_render as usual; desk templates start
 * with {{> desk_nav}}. */
View *desk_view(Request *req, const char *title, const char *section);

#endif
