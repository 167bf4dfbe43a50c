/* catalog (domain): request types as customers see them. */
#include "domain/catalog.h"
#include "core/str.h"
#include "store/catalog.h"

DbResult catalog_type_cards(Db *db, Arena *a, const char *lang, TypeCard **cards, int *count)
{
    RequestType *types;
    DbResult r = store_request_types_active(db, a, &types, count);
    if (r != DB_OK)
        return r;
    bool en = str_eq(lang, "en");
    *cards = arena_alloc(a, sizeof(TypeCard) * (size_t)(*count ? *count : 1));
    for (int i = 0; i < *count; i++) {
        (*cards)[i].key = types[i].key;
        (*cards)[i].name = en ? types[i].name_en : types[i].name_de;
        (*cards)[i].description = en ? types[i].description_en : types[i].description_de;
        (*cards)[i].icon = types[i].icon;
    }
    return DB_OK;
}

const char *catalog_welcome_text(Db *db, Arena *a, const char *lang)
{
    char *text = store_setting_get(db, a, str_eq(lang, "en") ? "welcome_en" : "welcome_de");
    return text ? text : "";
}
