/* catalog (domain): what every page shows of the portal's configuration - its name, the
 * welcome text and the active request types - read through a per-thread snapshot that is
 * refreshed from the database at most once per CATALOG_MAX_AGE_MS. Pages therefore cost no
 * database round trip for it; an admin's change shows within that time on every instance. */
#ifndef PFORTE_DOMAIN_CATALOG_H
#define PFORTE_DOMAIN_CATALOG_H
#include "core/arena.h"
#include "core/config.h"
#include "store/admin.h"
#include "store/catalog.h"
#include "store/db.h"
#include <stdint.h>

#define CATALOG_MAX_AGE_MS 1000.0

typedef struct TypeCard {
    const char *key;
    const char *name;
    const char *description;
    const char *icon;
} TypeCard;

typedef struct Catalog {
    uint64_t generation;       /* changes with every refresh of this thread's snapshot */
    const char *portal_name;   /* "" when no admin has set one */
    const char *welcome[2];    /* [0] German, [1] English */
    TypeCard *types[2];        /* active types by position, per language */
    int type_count;
    RequestType *all_types;    /* every type, also switched-off ones (lists name them) */
    int all_type_count;
    SettingRow *overrides;     /* the admin's valid values of config settings (settings_now) */
    int override_count;
    const char *accent;        /* "#rrggbb" or "" for the built-in colours */
    const char *logo_version;  /* sha256 of the uploaded logo, "" when none */
    const char *old_prefixes;  /* key prefixes used before, separated by ',' */
} Catalog;

/* The calling thread's snapshot (refreshed when older than CATALOG_MAX_AGE_MS; kept as it
 * was when the database cannot be read). NULL only when it was never readable. Valid until
 * the same thread calls again. */
const Catalog *catalog_current(Db *db);
/* Drops the calling thread's snapshot so the next call reads the database (after an admin
 * change in this thread, and in tests). */
void catalog_invalidate(void);
/* Active request types in lang from the snapshot, copied into the arena (the copy outlives
 * later refreshes). DB_OK with *cards and *count, DB_BUSY when never readable. */
DbResult catalog_type_cards(Db *db, Arena *a, const char *lang, TypeCard **cards, int *count);
/* The key and name (in lang) of type id from the snapshot, copied into the arena; a type
 * added in the last second by another thread is read from the database. False (and "")
 * when there is no such type. */
bool catalog_type_name(Db *db, Arena *a, int64_t id, const char *lang, const char **key,
                       const char **name);
/* Index into the per-language arrays: 1 for "en", else 0. */
int catalog_lang_index(const char *lang);

#endif
