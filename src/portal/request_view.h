/* request_view: the parts of a request's page that the customer's page (request_detail.c) and
 * the agents' desk page (desk/request_page.c) share - head, fields, timeline, people, files -
 * filled into a View from a RequestPage. The domain decided what the viewer may see; these
 * only present it (staff mode when page->viewer_is_agent: notes, assignment, priority).
 * SECURITY: Markdown is the only SafeHtml (markdown_render); everything else is escaped. */
#ifndef PFORTE_PORTAL_REQUEST_VIEW_H
#define PFORTE_PORTAL_REQUEST_VIEW_H
#include "domain/activity.h"
#include "http/request.h"
#include "web/template.h"

/* {key: {iso, abs, rel}} for <time datetime data-local-time>. */
void request_time_set(Request *req, View *v, const char *key, int64_t now, int64_t t);
/* request.{key, summary, status, ...}, the description and the page's state flags. */
void request_head_set(Request *req, View *v, const RequestPage *p, int64_t now);
/* fields, edit_fields, entries (the timeline), people, all_files; state holds what a failed
 * edit form left (may be empty). */
void request_view_fill(Request *req, View *v, const RequestPage *p, int64_t viewer_id, int64_t now,
                       View *state);

#endif
