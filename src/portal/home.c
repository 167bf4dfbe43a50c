/* home: the portal's start page - welcome text and the request types ("Art der Anfrage"). */
#include "portal/portal.h"
#include "domain/catalog.h"
#include "web/page.h"

void portal_home(Request *req, Response *res)
{
    Db *db = db_thread();
    TypeCard *cards;
    int count;
    if (!db || catalog_type_cards(db, req->arena, req->lang, &cards, &count) != DB_OK) {
        portal_error_page(req, res, 503);
        return;
    }
    View *v = page_view(req, NULL);
    view_set_bool(v, "home", true);
    view_set(v, "welcome", catalog_welcome_text(db, req->arena, req->lang));
    for (int i = 0; i < count; i++) {
        View *card = view_list_add(v, "types");
        view_set(card, "key", cards[i].key);
        view_set(card, "name", cards[i].name);
        view_set(card, "description", cards[i].description);
        view_set(card, "icon", cards[i].icon);
    }
    view_set_bool(v, "has_types", count > 0);
    page_render(req, res, 200, "home", v);
}
