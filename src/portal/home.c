/* home: the portal's start page - welcome text and the request types ("Art der Anfrage").
 * What anonymous visitors get depends only on the language and the catalog snapshot, so each
 * worker thread keeps that rendering until its snapshot is refreshed (at most a second). */
#include "portal/portal.h"
#include "core/mem.h"
#include "domain/catalog.h"
#include "web/page.h"
#include <stdlib.h>
#include <string.h>

typedef struct RenderedHome {
    uint64_t generation; /* of the catalog snapshot it was rendered from; 0 = empty */
    char *html;
    size_t len;
} RenderedHome;

static _Thread_local RenderedHome rendered[2];

static void home_view(Request *req, const Catalog *c, View *v)
{
    int lang = catalog_lang_index(req->lang);
    view_set_bool(v, "home", true);
    view_set(v, "welcome", c->welcome[lang]);
    for (int i = 0; i < c->type_count; i++) {
        const TypeCard *t = &c->types[lang][i];
        View *card = view_list_add(v, "types");
        view_set(card, "key", t->key);
        view_set(card, "name", t->name);
        view_set(card, "description", t->description);
        view_set(card, "icon", t->icon);
    }
    view_set_bool(v, "has_types", c->type_count > 0);
}

/* Only a page that carries nothing personal may be reused: no user, no flash message, no
 * cookie being set by this response. */
static bool home_cacheable(Request *req, Response *res)
{
    return !req->user && !req->flash && !res->headers && !req->csrf_token;
}

void portal_home(Request *req, Response *res)
{
    const Catalog *c = catalog_current(db_thread());
    if (!c) {
        portal_error_page(req, res, 503);
        return;
    }
    RenderedHome *cached = &rendered[catalog_lang_index(req->lang)];
    bool cacheable = home_cacheable(req, res);
    if (cacheable && cached->generation == c->generation) {
        buf_append(&res->body, cached->html, cached->len);
        res->status = 200;
        res->content_type = "text/html; charset=utf-8";
        return;
    }
    View *v = page_view(req, NULL);
    home_view(req, c, v);
    page_render(req, res, 200, "home", v);
    if (cacheable && res->status == 200) {
        free(cached->html);
        cached->html = xstrndup(res->body.data, res->body.len);
        cached->len = res->body.len;
        cached->generation = c->generation;
    }
}
