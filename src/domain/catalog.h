/* catalog (domain): what customers may choose from - the active request types in their
 * language. */
#ifndef PFORTE_DOMAIN_CATALOG_H
#define PFORTE_DOMAIN_CATALOG_H
#include "core/arena.h"
#include "store/db.h"

typedef struct TypeCard {
    const char *key;
    const char *name;
    const char *description;
    const char *icon;
} TypeCard;

/* Active request types, by position, with name and description in lang ("de"/"en").
 * DB_OK with *cards (arena array) and *count, or the store's error. */
DbResult catalog_type_cards(Db *db, Arena *a, const char *lang, TypeCard **cards, int *count);
/* The welcome text of the start page in lang, or "" when none is set. */
const char *catalog_welcome_text(Db *db, Arena *a, const char *lang);

#endif
