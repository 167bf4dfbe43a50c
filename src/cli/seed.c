/* seed: `pforte seed-bench [REQUESTS [CUSTOMERS]]` fills a database with a realistic load for
 * the benchmarks - by default 100,000 requests of 10,000 customers, one of whom
 * (bench.heavy@bench.example, in the organization "Bench Handels GmbH") has 2,000 of them,
 * and one request with 50 activity events. One transaction, prepared statements, a fixed
 * pseudo-random sequence (the same data every run). Never for production data: it refuses a
 * database that was seeded already.
 * SECURITY: the heavy customer's password comes from standard input only (never argv); the
 * other accounts get none. Nothing is mailed. */
#include "auth/password.h"
#include "cli.h"
#include "cli/setup.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/str.h"
#include "domain/demo.h"
#include "domain/search_index.h"
#include "domain/sla_service.h"
#include "store/accounts.h"
#include "store/activity.h"
#include "store/catalog.h"
#include "store/requests.h"
#include "store/users.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SEED_HEAVY_REQUESTS 2000
#define SEED_COLLEAGUES 20
#define SEED_EVENTS 50
#define SEED_HEAVY_EMAIL "bench.heavy@bench.example"
#define SEED_SLA_PASSES_MAX 1000 /* 2,000 requests and 200 reminders a pass */

typedef struct Seed {
    Db *db;
    Arena *arena;   /* lives as long as the run */
    Arena *scratch; /* one batch of rows' text, reset as the run goes */
    int64_t requests;
    int64_t customers;
    uint64_t random;
    int64_t now;
    RequestType *types;
    int type_count;
    int64_t *user_ids;   /* [0] = the heavy customer, [1..SEED_COLLEAGUES] = colleagues */
    int64_t org_id;
    int64_t heavy_last;  /* id of the heavy customer's newest request */
} Seed;

static uint64_t next_random(Seed *s)
{
    s->random ^= s->random << 13; /* xorshift64: fast, reproducible, good enough for data */
    s->random ^= s->random >> 7;
    s->random ^= s->random << 17;
    return s->random;
}

static const char *pick(Seed *s, const char *const *words, size_t n)
{
    return words[next_random(s) % n];
}

#define PICK(s, list) pick(s, list, sizeof list / sizeof list[0])

static const char *const PROBLEMS[] = {"Fehler", "Problem", "Frage", "Absturz", "Hinweis",
                                       "Zeitüberschreitung", "Warnung", "Unklarheit"};
static const char *const ACTIONS[] = {"beim Import", "beim Export", "beim Drucken",
                                      "beim Buchen", "bei der Übernahme", "beim Abgleich",
                                      "beim Versand", "bei der Anmeldung"};
static const char *const OBJECTS[] = {"von Ausgangsbelegen", "von Eingangsrechnungen",
                                      "von Kontoauszügen", "der Lohnabrechnung",
                                      "von Mahnungen", "der Umsatzsteuer-Voranmeldung",
                                      "von Stammdaten", "im Kassenbuch"};
static const char *const PRODUCTS[] = {"Beleglicht Cloud", "Beleglicht Desktop", "Belegbox",
                                       "Schnittstelle", "Mobile App"};
static const char *const DETAILS[] = {
    "Seit dem letzten Update erscheint eine Fehlermeldung.",
    "Der Vorgang bricht nach einigen Sekunden ohne Meldung ab.",
    "Die Beträge stimmen nicht mit dem Original überein.",
    "Es betrifft nur einige Mandanten, andere funktionieren.",
    "Ein Neustart des Programms hat nicht geholfen.",
    "Im Protokoll steht ein Hinweis auf eine Zeitüberschreitung.",
    "Wir brauchen das dringend für den Monatsabschluss.",
    "Die Belegbox zeigt ein rotes Licht und überträgt nichts.",
};
static const char *const STATUSES[] = {"open", "in_progress", "waiting_customer",
                                       "waiting_support", "resolved", "closed"};

/* Reads one line (the heavy customer's password) from standard input when it is a pipe. */
static bool read_password(char *out, size_t n)
{
    if (isatty(STDIN_FILENO) || !fgets(out, (int)n, stdin))
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0';
}

static DbResult seed_users(Seed *s, const char *password_hash)
{
    DbResult r = store_organization_insert(s->db, "Bench Handels GmbH", "bench.example", s->now,
                                           &s->org_id);
    for (int64_t i = 0; r == DB_OK && i < s->customers; i++) {
        User u = {0};
        u.role = "customer";
        u.lang = i % 3 == 1 ? "en" : "de";
        u.notify = false; /* a benchmark mails nobody */
        if (i == 0) {
            u.email = SEED_HEAVY_EMAIL;
            u.name = "Hanna Schwer";
            u.password_hash = (char *)password_hash;
            u.organization_id = s->org_id;
        } else {
            u.email = arena_printf(s->scratch, "customer-%lld@bench.example", (long long)i);
            u.name = arena_printf(s->scratch, "Kundin %lld", (long long)i);
            u.organization_id = i <= SEED_COLLEAGUES ? s->org_id : 0;
        }
        r = store_user_insert(s->db, &u, s->now, &s->user_ids[i]);
    }
    return r;
}

/* Who created request i: every 50th (2,000 of 100,000) is the heavy customer's. */
static int64_t reporter_index(Seed *s, int64_t i)
{
    int64_t every = s->requests / SEED_HEAVY_REQUESTS;
    if (every < 1 || i % every == 0)
        return 0;
    return 1 + (int64_t)(next_random(s) % (uint64_t)(s->customers - 1));
}

static DbResult seed_request(Seed *s, int64_t i, int64_t number)
{
    int64_t year = 365LL * 86400;
    int64_t created = s->now - year + i * year / s->requests;
    int64_t updated = created + (int64_t)(next_random(s) % (30 * 86400));
    if (updated > s->now)
        updated = s->now;
    int64_t who = reporter_index(s, i);
    bool old = s->now - created > 60 * 86400;
    const char *status = old && next_random(s) % 4 != 0 ? STATUSES[4 + next_random(s) % 2]
                                                        : PICK(s, STATUSES);
    NewRequestRow row = {0};
    row.number = number;
    row.type_id = s->types[i % s->type_count].id;
    row.reporter_id = s->user_ids[who];
    row.organization_id = who <= SEED_COLLEAGUES && next_random(s) % 2 ? s->org_id : 0;
    row.summary = arena_printf(s->scratch, "%s %s %s (%s)", PICK(s, PROBLEMS), PICK(s, ACTIONS),
                               PICK(s, OBJECTS), PICK(s, PRODUCTS));
    row.description = arena_printf(s->scratch, "%s %s\n\nVorgang %lld.", PICK(s, DETAILS),
                                   PICK(s, DETAILS), (long long)i);
    row.status = status;
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    row.reply_token = str_hex(s->scratch, bytes, sizeof bytes);
    row.created_at = created;
    row.updated_at = updated;
    int64_t id = 0;
    DbResult r = store_request_insert(s->db, &row, &id);
    if (r == DB_OK)
        r = store_request_search_insert(s->db, id, row.summary, row.description);
    if (r == DB_OK)
        r = store_event_insert(s->db, id, row.reporter_id, "created", "", "", "", "", false,
                               created, NULL);
    bool added = false;
    /* the heavy customer takes part in a few requests of others */
    if (r == DB_OK && who != 0 && i % 997 == 1)
        r = store_participant_add(s->db, id, s->user_ids[0], row.reporter_id, created, &added);
    if (who == 0)
        s->heavy_last = id;
    return r;
}

static DbResult seed_events(Seed *s)
{
    DbResult r = DB_OK;
    for (int i = 1; r == DB_OK && i < SEED_EVENTS; i++)
        r = store_event_insert(s->db, s->heavy_last, i % 2 ? s->user_ids[0] : s->user_ids[1],
                               "comment",
                               arena_printf(s->scratch, "Kommentar %d: %s", i,
                                            DETAILS[i % (sizeof DETAILS / sizeof DETAILS[0])]),
                               "", "", "", false, s->now - (SEED_EVENTS - i) * 600, NULL);
    return r;
}

static int seed_usage(void)
{
    fprintf(stderr, "usage: pforte seed-bench [REQUESTS [CUSTOMERS]] [--data DIR] "
                    "[< password-of-" SEED_HEAVY_EMAIL "]\n"
                    "fills the database with benchmark data (default 100000 requests of 10000 "
                    "customers)\n");
    return 2;
}

static int seed_run(Seed *s, const char *password_hash)
{
    double started = clock_mono_ms();
    DbResult r = store_request_types(s->db, s->arena, true, &s->types, &s->type_count);
    if (r != DB_OK || s->type_count == 0) {
        fprintf(stderr, "pforte seed-bench: no request types (the demo data is missing)\n");
        return 1;
    }
    User existing;
    if (store_user_by_email(s->db, s->arena, SEED_HEAVY_EMAIL, &existing) == DB_OK &&
        existing.id) {
        fprintf(stderr, "pforte seed-bench: this database is seeded already\n");
        return 1;
    }
    s->user_ids = arena_alloc(s->arena, sizeof *s->user_ids * (size_t)s->customers);
    int64_t first = 0;
    r = db_begin(s->db);
    if (r == DB_OK)
        r = seed_users(s, password_hash);
    if (r == DB_OK)
        r = store_request_number_reserve(s->db, s->requests, &first);
    for (int64_t i = 0; r == DB_OK && i < s->requests; i++) {
        r = seed_request(s, i, first + i);
        if (i % 5000 == 4999)
            arena_reset(s->scratch); /* these rows are written; their text is not needed */
    }
    if (r == DB_OK)
        r = seed_events(s);
    if (r == DB_OK)
        r = db_commit(s->db);
    if (r != DB_OK) {
        db_rollback(s->db);
        fprintf(stderr, "pforte seed-bench: failed (%d); nothing was written\n", (int)r);
        return 1;
    }
    r = search_index_catch_up(s->db); /* SQLite: the search index, batch by batch */
    if (r != DB_OK) {
        fprintf(stderr, "pforte seed-bench: the search index failed (%d); `pforte serve` "
                        "completes it\n", (int)r);
        return 1;
    }
    /* a portal that has been running has its SLA columns computed and its overdue reminders
     * recorded; left to `pforte serve`, its SLA worker would spend the first minutes on them
     * (2,000 requests a pass, a pass every sla_poll_ms) - in the middle of a benchmark */
    SlaPassStats st = {0};
    int passes = 0;
    do
        r = sla_pass_run(s->db, clock_now(), &st);
    while (r == DB_OK && (st.refreshed || st.reminders) && ++passes < SEED_SLA_PASSES_MAX);
    if (r != DB_OK) {
        fprintf(stderr, "pforte seed-bench: the SLA pass failed (%d); `pforte serve` "
                        "completes it\n", (int)r);
        return 1;
    }
    printf("seeded %lld requests of %lld customers in %.1f s; heavy customer %s "
           "(%d requests, organization \"Bench Handels GmbH\"), %d events on request id %lld\n",
           (long long)s->requests, (long long)s->customers, (clock_mono_ms() - started) / 1000,
           SEED_HEAVY_EMAIL, SEED_HEAVY_REQUESTS, SEED_EVENTS, (long long)s->heavy_last);
    return 0;
}

int cli_seed_bench(int nargs, char **args)
{
    Seed s = {0};
    s.requests = 100000;
    s.customers = 10000;
    if (nargs > 2 || (nargs >= 1 && !str_to_int64(args[0], &s.requests)) ||
        (nargs == 2 && !str_to_int64(args[1], &s.customers)) || s.requests < SEED_HEAVY_REQUESTS ||
        s.customers < SEED_COLLEAGUES + 2 || s.requests > 10000000 || s.customers > 1000000)
        return seed_usage();
    char password[1100], hash[crypto_pwhash_STRBYTES];
    bool has_password = read_password(password, sizeof password);
    if (has_password && !password_hash(password, hash)) {
        sodium_memzero(password, sizeof password);
        return 1;
    }
    sodium_memzero(password, sizeof password);
    s.db = cli_open_database();
    if (!s.db)
        return 1;
    bool created = false;
    demo_fill_if_empty(s.db, &created); /* the request types the requests belong to */
    Arena a, scratch;
    arena_init(&a, 1 << 20);
    arena_init(&scratch, 1 << 20);
    s.arena = &a;
    s.scratch = &scratch;
    s.random = 0x9e3779b97f4a7c15ULL;
    s.now = clock_now();
    int rc = seed_run(&s, has_password ? hash : NULL);
    arena_free(&scratch);
    arena_free(&a);
    db_close(s.db);
    return rc;
}
