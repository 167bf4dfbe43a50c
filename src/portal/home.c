/* home: the portal's start page - welcome text and the request types ("Art der Anfrage"). */
#include "portal/portal.h"
#include "domain/catalog.h"
#include "web/page.h"

void portal_home(Request *req, Response *res)
{
    const Catalog *c = catalog_current(db_thread());
    if (!c) {
        portal_error_page(req, res, 503);
        return;
    }
    int lang = catalog_lang_index(req->lang);
    View *v = page_view(req, NULL);
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
    page_render(req, res, 200, "home", v);
}
