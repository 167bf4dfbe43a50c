/* catalog (domain): a short-lived per-thread copy of the portal's configuration, so the
 * start page and the layout do not query the database on every request. Each snapshot
 * lives in its own arena; a refresh builds the new one before dropping the old. */
#include "domain/catalog.h"
#include "core/clock.h"
#include "core/str.h"
#include "domain/admin.h"
#include "store/admin.h"
#include "store/catalog.h"
#include <pthread.h>
#include <string.h>

static _Thread_local Arena snapshot_arena[2];
static _Thread_local int snapshot_index = -1;
static _Thread_local Catalog snapshot;
static _Thread_local double snapshot_at;

int catalog_lang_index(const char *lang)
{
    return str_eq(lang, "en") ? 1 : 0;
}

static DbResult catalog_load(Db *db, Arena *a, Catalog *c)
{
    RequestType *types;
    int count;
    DbResult r = db_read_begin(db);
    if (r != DB_OK)
        return r;
    SettingRow *rows = NULL;
    int row_count = 0;
    r = store_request_types(db, a, false, &types, &count);
    if (r == DB_OK)
        r = store_settings_all(db, a, &rows, &row_count);
    db_read_end(db);
    if (r != DB_OK)
        return r;
    c->portal_name = c->welcome[0] = c->welcome[1] = c->accent = c->logo_version =
        c->old_prefixes = "";
    for (int i = 0; i < row_count; i++) {
        if (str_eq(rows[i].name, "portal_name"))
            c->portal_name = rows[i].value;
        else if (str_eq(rows[i].name, "welcome_de"))
            c->welcome[0] = rows[i].value;
        else if (str_eq(rows[i].name, "welcome_en"))
            c->welcome[1] = rows[i].value;
        else if (str_eq(rows[i].name, "accent_color"))
            c->accent = rows[i].value;
        else if (str_eq(rows[i].name, "logo_sha256"))
            c->logo_version = rows[i].value;
        else if (str_eq(rows[i].name, "key_prefix_history"))
            c->old_prefixes = rows[i].value;
    }
    c->override_count = settings_filter_rows(a, rows, row_count, &c->overrides);
    c->all_types = types;
    c->all_type_count = count;
    c->type_count = 0;
    for (int lang = 0; lang < 2; lang++) {
        c->types[lang] = arena_alloc(a, sizeof(TypeCard) * (size_t)(count ? count : 1));
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (!types[i].active)
                continue;
            c->types[lang][n].key = types[i].key;
            c->types[lang][n].name = lang ? types[i].name_en : types[i].name_de;
            c->types[lang][n].description =
                lang ? types[i].description_en : types[i].description_de;
            c->types[lang][n].icon = types[i].icon;
            n++;
        }
        c->type_count = n;
    }
    return DB_OK;
}

/* A thread that made a snapshot frees it when it ends (worker threads come and go). */
static pthread_key_t snapshot_key;
static pthread_once_t snapshot_key_once = PTHREAD_ONCE_INIT;

static void snapshot_release(void *unused)
{
    for (int i = 0; i < 2; i++)
        if (snapshot_arena[i].block_size)
            arena_free(&snapshot_arena[i]);
    memset(snapshot_arena, 0, sizeof snapshot_arena);
    snapshot_index = -1;
}

static void snapshot_key_create(void)
{
    pthread_key_create(&snapshot_key, snapshot_release);
}

const Catalog *catalog_current(Db *db)
{
    double now = clock_mono_ms();
    if (snapshot_index >= 0 && now - snapshot_at < CATALOG_MAX_AGE_MS)
        return &snapshot;
    if (!db)
        return snapshot_index >= 0 ? &snapshot : NULL;
    int next = snapshot_index == 0 ? 1 : 0;
    if (!snapshot_arena[next].block_size) {
        arena_init(&snapshot_arena[next], 8192);
        pthread_once(&snapshot_key_once, snapshot_key_create);
        pthread_setspecific(snapshot_key, snapshot_arena); /* non-NULL: the release runs */
    }
    arena_reset(&snapshot_arena[next]);
    Catalog fresh;
    memset(&fresh, 0, sizeof fresh);
    if (catalog_load(db, &snapshot_arena[next], &fresh) != DB_OK)
        return snapshot_index >= 0 ? &snapshot : NULL;
    fresh.generation = snapshot.generation + 1;
    snapshot = fresh;
    snapshot_index = next;
    snapshot_at = now;
    return &snapshot;
}

static const RequestType *snapshot_type(const Catalog *c, int64_t id)
{
    for (int i = 0; c && i < c->all_type_count; i++)
        if (c->all_types[i].id == id)
            return &c->all_types[i];
    return NULL;
}

bool catalog_type_name(Db *db, Arena *a, int64_t id, const char *lang, const char **key,
                       const char **name)
{
    const RequestType *t = snapshot_type(catalog_current(db), id);
    if (!t && db) { /* created moments ago: this thread's snapshot is older */
        catalog_invalidate();
        t = snapshot_type(catalog_current(db), id);
    }
    *key = t ? arena_strdup(a, t->key) : "";
    *name = t ? arena_strdup(a, str_eq(lang, "en") ? t->name_en : t->name_de) : "";
    return t != NULL;
}

void catalog_invalidate(void)
{
    snapshot_at = -CATALOG_MAX_AGE_MS * 2;
}

DbResult catalog_type_cards(Db *db, Arena *a, const char *lang, TypeCard **cards, int *count)
{
    const Catalog *c = catalog_current(db);
    if (!c)
        return DB_BUSY;
    int l = catalog_lang_index(lang);
    *count = c->type_count;
    *cards = arena_alloc(a, sizeof(TypeCard) * (size_t)(c->type_count ? c->type_count : 1));
    for (int i = 0; i < c->type_count; i++) {
        (*cards)[i].key = arena_strdup(a, c->types[l][i].key);
        (*cards)[i].name = arena_strdup(a, c->types[l][i].name);
        (*cards)[i].description = arena_strdup(a, c->types[l][i].description);
        (*cards)[i].icon = arena_strdup(a, c->types[l][i].icon);
    }
    return DB_OK;
}
