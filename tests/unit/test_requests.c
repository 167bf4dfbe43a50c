/* test_requests: request keys, the server-side checks of every field kind, the participants'
 * addresses, the search expression and list cursors (table-driven), and against a temporary
 * SQLite database: creating a request (number, values, idempotent submit token, numbers
 * unique under concurrent creation) and who may see it (reporter, participant, organization,
 * agent; everyone else gets REQUEST_NOT_FOUND) in the detail and in the list. */
#include "core/arena.h"
#include "core/config.h"
#include "core/str.h"
#include "domain/demo.h"
#include "domain/request_create.h"
#include "domain/catalog.h"
#include "domain/request_list.h"
#include "domain/requests.h"
#include "domain/search_index.h"
#include "store/activity.h"
#include "store/db.h"
#include "store/users.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NOW 1764460740

static char temp_root[256];
static int db_counter;

/* ---- keys ---- */

static void test_parse_key(void **state)
{
    static const struct {
        const char *prefix, *key;
        bool ok;
        int64_t number;
    } CASES[] = {
        {"SUP", "SUP-42", true, 42},
        {"SUP", "sup-42", true, 42},
        {"SUP", "Sup-1", true, 1},
        {"SUP", "SUP-999999999999999999", true, 999999999999999999LL},
        {"SUP", "SUP-1000000000000000000", false, 0}, /* 19 digits */
        {"SUP", "SUP-0", false, 0},
        {"SUP", "SUP-042", false, 0},
        {"SUP", "SUP-", false, 0},
        {"SUP", "SUP42", false, 0},
        {"SUP", "SUP--1", false, 0},
        {"SUP", "SUP-+1", false, 0},
        {"SUP", "SUP-4a", false, 0},
        {"SUP", "SUP-1 ", false, 0},
        {"SUP", " SUP-1", false, 0},
        {"SUP", "SUP-1/", false, 0},
        {"SUP", "XYZ-1", false, 0},
        {"SUP", "SUPP-1", false, 0},
        {"SUP", "", false, 0},
        {"SUP", NULL, false, 0},
        {"ACME-SUP", "ACME-SUP-7", true, 7},
        {"ACME-SUP", "SUP-7", false, 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        cfg.key_prefix = (char *)CASES[i].prefix;
        int64_t number = -1;
        bool ok = request_parse_key(CASES[i].key, &number);
        if (ok != CASES[i].ok)
            fail_msg("case %zu (%s): expected %d", i, CASES[i].key ? CASES[i].key : "NULL",
                     CASES[i].ok);
        if (ok)
            assert_int_equal(number, CASES[i].number);
    }
    cfg.key_prefix = "SUP";
    Arena a;
    arena_init(&a, 1024);
    int64_t n = 0;
    assert_string_equal(request_format_key(&a, 42), "SUP-42");
    assert_true(request_parse_key(request_format_key(&a, 1234567), &n));
    assert_int_equal(n, 1234567);
    arena_free(&a);
}

/* ---- fields ---- */

typedef struct FieldCase {
    const char *kind, *key;
    bool required;
    const char *options;
    const char *values[4]; /* NULL-terminated; NULL first = nothing sent */
    int files;
    const char *error;     /* expected msgid, NULL = valid */
    const char *clean;     /* expected stored value when valid */
} FieldCase;

#define OPTIONS "a|A de|A en\nb|B de|B en\nc|C de|C en"

static const FieldCase FIELD_CASES[] = {
    /* text and the summary */
    {"text", "summary", true, NULL, {"  Fehler beim Import  "}, 0, NULL, "Fehler beim Import"},
    {"text", "summary", true, NULL, {""}, 0, "Please fill in this field.", NULL},
    {"text", "summary", true, NULL, {"   "}, 0, "Please fill in this field.", NULL},
    {"text", "summary", true, NULL, {NULL}, 0, "Please fill in this field.", NULL},
    {"text", "summary", true, NULL, {"line\r\nbreak\tand\x01"}, 0, NULL, "line  break and"},
    {"text", "version", false, NULL, {""}, 0, NULL, ""},
    {"text", "version", false, NULL, {"3.1"}, 0, NULL, "3.1"},
    /* textarea */
    {"textarea", "description", true, NULL, {"a\r\nb\rc\n\x07" "d"}, 0, NULL, "a\nb\nc\nd"},
    {"textarea", "description", true, NULL, {"\n\n"}, 0, "Please fill in this field.", NULL},
    /* e-mail */
    {"email", "contact", false, NULL, {"name@example.com"}, 0, NULL, "name@example.com"},
    {"email", "contact", false, NULL, {" name@example.com "}, 0, NULL, "name@example.com"},
    {"email", "contact", false, NULL, {"kaputt@"}, 0,
     "Please enter a valid e-mail address, like name@example.com.", NULL},
    {"email", "contact", false, NULL, {"a b@example.com"}, 0,
     "Please enter a valid e-mail address, like name@example.com.", NULL},
    {"email", "contact", true, NULL, {""}, 0, "Please fill in this field.", NULL},
    /* number */
    {"number", "count", false, NULL, {"42"}, 0, NULL, "42"},
    {"number", "count", false, NULL, {"-3,5"}, 0, NULL, "-3.5"},
    {"number", "count", false, NULL, {"+7.25"}, 0, NULL, "7.25"},
    {"number", "count", false, NULL, {"zwölf"}, 0, "Please enter a number, like 42 or 3.5.", NULL},
    {"number", "count", false, NULL, {"1.000.000"}, 0, "Please enter a number, like 42 or 3.5.",
     NULL},
    {"number", "count", false, NULL, {"1e5"}, 0, "Please enter a number, like 42 or 3.5.", NULL},
    {"number", "count", false, NULL, {"3."}, 0, "Please enter a number, like 42 or 3.5.", NULL},
    {"number", "count", false, NULL, {"1234567890123456"}, 0,
     "Please enter a number, like 42 or 3.5.", NULL},
    /* date */
    {"date", "since", false, NULL, {"2024-02-29"}, 0, NULL, "2024-02-29"},
    {"date", "since", false, NULL, {"2023-02-29"}, 0,
     "Please enter a date that exists, between 1900 and 2100.", NULL},
    {"date", "since", false, NULL, {"2024-13-01"}, 0,
     "Please enter a date that exists, between 1900 and 2100.", NULL},
    {"date", "since", false, NULL, {"1899-12-31"}, 0,
     "Please enter a date that exists, between 1900 and 2100.", NULL},
    {"date", "since", false, NULL, {"31.12.2024"}, 0,
     "Please enter the date as YYYY-MM-DD, for example 2025-03-31.", NULL},
    {"date", "since", false, NULL, {"2024-1-01"}, 0,
     "Please enter the date as YYYY-MM-DD, for example 2025-03-31.", NULL},
    {"date", "since", false, NULL, {""}, 0, NULL, ""},
    /* select */
    {"select", "product", true, OPTIONS, {"b"}, 0, NULL, "b"},
    {"select", "product", true, OPTIONS, {""}, 0, "Please choose an option.", NULL},
    {"select", "product", true, OPTIONS, {"x"}, 0, "Please choose one of the offered options.",
     NULL},
    {"select", "product", false, OPTIONS, {""}, 0, NULL, ""},
    /* multiselect: stored in option order, without duplicates */
    {"multiselect", "topics", true, OPTIONS, {"c", "a", "c"}, 0, NULL, "a\nc"},
    {"multiselect", "topics", true, OPTIONS, {NULL}, 0, "Please choose at least one option.", NULL},
    {"multiselect", "topics", false, OPTIONS, {NULL}, 0, NULL, ""},
    {"multiselect", "topics", true, OPTIONS, {"a", "evil"}, 0,
     "Please choose only among the offered options.", NULL},
    /* checkbox */
    {"checkbox", "ok", false, NULL, {"1"}, 0, NULL, "1"},
    {"checkbox", "ok", false, NULL, {NULL}, 0, NULL, ""},
    {"checkbox", "ok", true, NULL, {NULL}, 0, "Please tick this box to continue.", NULL},
    /* attachments (sizes are attachments_check's) */
    {"attachments", "files", false, NULL, {NULL}, 0, NULL, ""},
    {"attachments", "files", true, NULL, {NULL}, 0, "Please attach at least one file.", NULL},
    {"attachments", "files", true, NULL, {NULL}, 2, NULL, ""},
    {"attachments", "files", false, NULL, {NULL}, 11, "Please attach at most 10 files here.", NULL},
};

static void make_field(Arena *a, FormField *f, const FieldCase *c)
{
    memset(f, 0, sizeof *f);
    f->def.kind = (char *)c->kind;
    f->def.key = (char *)c->key;
    f->def.label_de = f->def.label_en = (char *)c->key;
    f->def.required = c->required;
    f->def.options = (char *)(c->options ? c->options : "");
    f->option_count = request_options_parse(a, f->def.options, &f->options);
}

static void test_field_checks(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    static unsigned char byte = 'x';
    for (size_t i = 0; i < sizeof FIELD_CASES / sizeof FIELD_CASES[0]; i++) {
        const FieldCase *c = &FIELD_CASES[i];
        FormField f;
        make_field(&a, &f, c);
        FieldInput in = {0};
        in.values = (const char **)c->values;
        while (in.count < 4 && c->values[in.count])
            in.count++;
        NewAttachment files[12];
        for (int k = 0; k < c->files; k++)
            files[k] = (NewAttachment){"f.txt", "text/plain", &byte, 1};
        in.files = files;
        in.file_count = c->files;
        const char *clean = NULL;
        const char *error = request_field_check(&a, &f, &in, &clean);
        if (!str_eq(error, c->error))
            fail_msg("case %zu (%s %s): error \"%s\", expected \"%s\"", i, c->kind,
                     c->values[0] ? c->values[0] : "(none)", error ? error : "(none)",
                     c->error ? c->error : "(none)");
        if (!c->error && !str_eq(clean, c->clean))
            fail_msg("case %zu (%s): stored \"%s\", expected \"%s\"", i, c->kind, clean, c->clean);
    }
    arena_free(&a);
}

static void test_text_limits(void **state)
{
    Arena a;
    arena_init(&a, 65536);
    static const struct {
        const char *kind, *key;
        size_t max;
    } LIMITS[] = {{"text", "summary", REQUEST_MAX_SUMMARY},
                  {"text", "version", REQUEST_MAX_TEXT},
                  {"textarea", "description", REQUEST_MAX_TEXTAREA}};
    for (size_t i = 0; i < 3; i++) {
        FieldCase c = {LIMITS[i].kind, LIMITS[i].key, true, NULL, {NULL}, 0, NULL, NULL};
        FormField f;
        make_field(&a, &f, &c);
        /* "ä" is two bytes but one character: the limit counts characters */
        for (size_t n = LIMITS[i].max; n <= LIMITS[i].max + 1; n++) {
            Buf b;
            buf_init(&b, &a);
            for (size_t k = 0; k < n; k++)
                buf_puts(&b, "ä");
            const char *value = buf_cstr(&b), *clean = NULL;
            FieldInput in = {&value, 1, NULL, 0};
            const char *error = request_field_check(&a, &f, &in, &clean);
            if (n == LIMITS[i].max)
                assert_null(error);
            else
                assert_non_null(error);
        }
    }
    arena_free(&a);
}

static void test_options_parse(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    FieldOption *o;
    int n = request_options_parse(&a, " a|Eins|One \n\nb|Zwei\nc\n", &o);
    assert_int_equal(n, 3);
    assert_string_equal(o[0].value, "a");
    assert_string_equal(o[0].label_de, "Eins");
    assert_string_equal(o[0].label_en, "One");
    assert_string_equal(o[1].label_en, "Zwei"); /* falls back to German */
    assert_string_equal(o[2].label_de, "c");    /* falls back to the value */
    assert_int_equal(request_options_parse(&a, "", &o), 0);
    arena_free(&a);
}

static void test_participants(void **state)
{
    static const struct {
        const char *text;
        const char *error;
        int count;
        const char *first;
    } CASES[] = {
        {"", NULL, 0, NULL},
        {"ben@example.com", NULL, 1, "ben@example.com"},
        {"Ben@Example.com, carla@example.com;\n dora@example.com", NULL, 3, "ben@example.com"},
        {"<ben@example.com>", NULL, 1, "ben@example.com"},
        {"ben@example.com ben@example.com BEN@example.com", NULL, 1, "ben@example.com"},
        {"me@example.com", NULL, 0, NULL}, /* oneself */
        {"ben@example.com kaputt", "“%{value}” is not a valid e-mail address.", 0, NULL},
        {"a@x.de b@x.de c@x.de d@x.de e@x.de f@x.de g@x.de h@x.de i@x.de j@x.de", NULL, 10,
         "a@x.de"},
        {"a@x.de b@x.de c@x.de d@x.de e@x.de f@x.de g@x.de h@x.de i@x.de j@x.de k@x.de",
         "Please name at most 10 people.", 0, NULL},
    };
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char **emails, *bad;
        int count = -1;
        const char *error =
            request_participants_parse(&a, CASES[i].text, "me@example.com", &emails, &count, &bad);
        if (!str_eq(error, CASES[i].error))
            fail_msg("case %zu: error %s", i, error ? error : "(none)");
        if (!error) {
            assert_int_equal(count, CASES[i].count);
            if (CASES[i].first)
                assert_string_equal(emails[0], CASES[i].first);
        }
    }
    const char **emails, *bad = NULL;
    int count;
    request_participants_parse(&a, "ok@x.de nope", "", &emails, &count, &bad);
    assert_string_equal(bad, "nope");
    arena_free(&a);
}

static void test_match_expression(void **state)
{
    static const struct {
        const char *text, *expected;
    } CASES[] = {
        {"Übernahme Belege", "\"Übernahme\"* \"Belege\"*"},
        {"  import  ", "\"import\"*"},
        {"ab", "\"ab\""},
        {"NOT OR", "\"NOT\"* \"OR\""}, /* operators are words, never syntax */
        {"say\"hi", "\"say\"\"hi\"*"},
        {"summary:geheim", "\"summary:geheim\"*"},
        {"--- ... !!", NULL},
        {"", NULL},
        {NULL, NULL},
        {"a b c d e f g h i j", "\"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\""},
    };
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char *got = request_list_match_expression(&a, CASES[i].text);
        if (!str_eq(got, CASES[i].expected))
            fail_msg("case %zu: got %s", i, got ? got : "NULL");
    }
    arena_free(&a);
}

static void test_cursor(void **state)
{
    int64_t t = -1, id = -1;
    assert_true(request_list_parse_cursor("1764460740.42", &t, &id));
    assert_int_equal(t, 1764460740);
    assert_int_equal(id, 42);
    const char *bad[] = {"", "1", "1.", ".1", "a.1", "1.b", "-1.2", "1.2.3", "1 .2",
                         "1234567890123456789.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (request_list_parse_cursor(bad[i], &t, &id))
            fail_msg("cursor \"%s\" accepted", bad[i]);
    assert_false(request_list_parse_cursor(NULL, &t, &id));
}

static void test_status_names(void **state)
{
    assert_string_equal(request_status_msgid("waiting_customer"), "Waiting for customer");
    assert_string_equal(request_status_msgid("closed"), "Closed");
    assert_true(request_status_is_closed("resolved"));
    assert_true(request_status_is_closed("closed"));
    assert_false(request_status_is_closed("waiting_support"));
}

/* ---- with a database ---- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static const char *fresh_data_dir(Arena *a)
{
    const char *dir = arena_printf(a, "%s/data%d", temp_root, ++db_counter);
    assert_int_equal(mkdir(dir, 0700), 0);
    cfg.data = (char *)dir;
    cfg.db = NULL;
    return dir;
}

static Db *open_db(Arena *a, const char *dir)
{
    Db *db = db_open(arena_printf(a, "%s/pforte.db", dir));
    assert_non_null(db);
    return db;
}

typedef struct World {
    Db *db;
    Arena a;
    const char *dir;
    User anna, ben, carla, agent; /* anna and ben share an organization; carla is elsewhere */
    Viewer v_anna, v_ben, v_carla, v_agent;
    RequestForm question;
} World;

static void add_user(World *w, User *u, const char *email, const char *name, const char *role,
                     int64_t org, Viewer *v)
{
    memset(u, 0, sizeof *u);
    u->email = (char *)email;
    u->name = (char *)name;
    u->role = (char *)role;
    u->lang = "de";
    u->organization_id = org;
    u->notify = true;
    assert_int_equal(store_user_insert(w->db, u, NOW, &u->id), DB_OK);
    request_viewer_from_user(v, u);
}

static void world_setup(World *w)
{
    memset(w, 0, sizeof *w);
    arena_init(&w->a, 1 << 16);
    w->dir = fresh_data_dir(&w->a);
    w->db = open_db(&w->a, w->dir);
    assert_int_equal(db_migrate(w->db), DB_OK);
    bool created = false;
    assert_int_equal(demo_fill_if_empty(w->db, &created), DB_OK);
    assert_true(created);
    int64_t org;
    assert_int_equal(store_organization_insert(w->db, "Test GmbH", "test.example", NOW, &org),
                     DB_OK);
    add_user(w, &w->anna, "anna@test.example", "Anna", "customer", org, &w->v_anna);
    add_user(w, &w->ben, "ben@test.example", "Ben", "customer", org, &w->v_ben);
    add_user(w, &w->carla, "carla@other.example", "Carla", "customer", 0, &w->v_carla);
    add_user(w, &w->agent, "paula@vendor.example", "Paula", "agent", 0, &w->v_agent);
    assert_int_equal(request_form_load(w->db, &w->a, "question", &w->question), REQUEST_OK);
}

static void world_teardown(World *w)
{
    db_close(w->db);
    arena_free(&w->a);
}

/* Creates a "question" request of viewer with summary; returns its key. */
static const char *create(World *w, const Viewer *viewer, const char *summary, const char *token,
                          bool share_org, const char *participants, CreatedRequest *out)
{
    FieldInput *inputs = arena_alloc(&w->a, sizeof *inputs * (size_t)w->question.field_count);
    for (int i = 0; i < w->question.field_count; i++) {
        const char *key = w->question.fields[i].def.key;
        const char **v = arena_alloc(&w->a, sizeof *v);
        v[0] = str_eq(key, "summary") ? summary : str_eq(key, "description") ? "Details" : "";
        inputs[i] = (FieldInput){v, 1, NULL, 0};
    }
    NewRequest n = {&w->question, inputs, token, share_org, participants};
    RequestErrors errors = {0};
    CreatedRequest local;
    CreatedRequest *c = out ? out : &local;
    RequestResult r = request_create(w->db, &w->a, viewer, &n, NOW, &errors, c);
    if (r != REQUEST_OK)
        fail_msg("request_create: %d (%d errors, first %s)", r, errors.count,
                 errors.count ? errors.items[0].msgid : "-");
    return c->key;
}

static RequestResult open_as(World *w, const Viewer *v, const char *key)
{
    RequestView view;
    return request_open_for_viewer(w->db, &w->a, v, key, &view);
}

static void test_create_and_access(void **state)
{
    World w;
    world_setup(&w);
    const char *k1 = create(&w, &w.v_anna, "Nur für Anna", NULL, false, NULL, NULL);
    const char *k2 = create(&w, &w.v_anna, "Für die Organisation", NULL, true, NULL, NULL);
    const char *k3 = create(&w, &w.v_anna, "Mit Carla", NULL, false, "carla@other.example",
                            NULL);
    assert_string_equal(k1, "SUP-1");
    assert_string_equal(k2, "SUP-2");
    assert_string_equal(k3, "SUP-3");

    static const struct {
        int who; /* 0 anna, 1 ben, 2 carla, 3 agent */
        int request;
        RequestResult expected;
    } RULES[] = {
        {0, 1, REQUEST_OK},        {1, 1, REQUEST_NOT_FOUND}, {2, 1, REQUEST_NOT_FOUND},
        {3, 1, REQUEST_OK},        {0, 2, REQUEST_OK},        {1, 2, REQUEST_OK},
        {2, 2, REQUEST_NOT_FOUND}, {3, 2, REQUEST_OK},        {0, 3, REQUEST_OK},
        {1, 3, REQUEST_NOT_FOUND}, {2, 3, REQUEST_OK},        {3, 3, REQUEST_OK},
    };
    const Viewer *viewers[] = {&w.v_anna, &w.v_ben, &w.v_carla, &w.v_agent};
    const char *keys[] = {NULL, k1, k2, k3};
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++) {
        RequestResult got = open_as(&w, viewers[RULES[i].who], keys[RULES[i].request]);
        if (got != RULES[i].expected)
            fail_msg("viewer %d on request %d: %d, expected %d", RULES[i].who, RULES[i].request,
                     got, RULES[i].expected);
    }
    /* unknown, guessed and malformed keys are just as not found */
    const char *missing[] = {"SUP-4", "SUP-0", "SUP-01", "sup-9999", "XYZ-1", "", "SUP-1'--"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        assert_int_equal(open_as(&w, &w.v_agent, missing[i]), REQUEST_NOT_FOUND);
    /* lowercase keys of visible requests work */
    assert_int_equal(open_as(&w, &w.v_anna, "sup-1"), REQUEST_OK);
    world_teardown(&w);
}

static void test_submit_token_is_idempotent(void **state)
{
    World w;
    world_setup(&w);
    char token[44];
    request_submit_token_new(token);
    assert_true(request_submit_token_valid(token));
    CreatedRequest first, second;
    create(&w, &w.v_anna, "Doppelklick", token, false, NULL, &first);
    create(&w, &w.v_anna, "Doppelklick", token, false, NULL, &second);
    assert_false(first.existing);
    assert_true(second.existing);
    assert_string_equal(first.key, second.key);
    /* someone else's token creates a new request and reveals nothing */
    CreatedRequest third;
    create(&w, &w.v_carla, "Fremdes Token", token, false, NULL, &third);
    assert_false(third.existing);
    assert_string_not_equal(third.key, first.key);
    world_teardown(&w);
}

typedef struct Racer {
    const char *dir;
    int count;
    int failures;
    const Viewer *viewer;
} Racer;

static void *race(void *arg)
{
    Racer *r = arg;
    Arena a;
    arena_init(&a, 1 << 16);
    Db *db = db_open(arena_printf(&a, "%s/pforte.db", r->dir));
    RequestForm form;
    if (!db || request_form_load(db, &a, "question", &form) != REQUEST_OK) {
        r->failures = r->count;
        return NULL;
    }
    for (int k = 0; k < r->count; k++) {
        FieldInput *inputs = arena_alloc(&a, sizeof *inputs * (size_t)form.field_count);
        for (int i = 0; i < form.field_count; i++) {
            const char **v = arena_alloc(&a, sizeof *v);
            const char *key = form.fields[i].def.key;
            v[0] = str_eq(key, "summary") || str_eq(key, "description") ? "Gleichzeitig" : "";
            inputs[i] = (FieldInput){v, 1, NULL, 0};
        }
        char token[44];
        request_submit_token_new(token);
        NewRequest n = {&form, inputs, token, false, NULL};
        RequestErrors errors = {0};
        CreatedRequest c;
        if (request_create(db, &a, r->viewer, &n, NOW, &errors, &c) != REQUEST_OK)
            r->failures++;
    }
    db_close(db);
    db_thread_close(); /* the connection settings_now() opened for this thread */
    arena_free(&a);
    return NULL;
}

static void test_numbers_unique_under_concurrency(void **state)
{
    World w;
    world_setup(&w);
    Racer racers[3] = {{w.dir, 40, 0, &w.v_anna}, {w.dir, 40, 0, &w.v_ben},
                       {w.dir, 40, 0, &w.v_carla}};
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, race, &racers[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(racers[i].failures, 0);
    /* 120 requests: numbers 1..120, each once (requests.number is UNIQUE, so 120 rows prove
     * it), and the counter stands at 120 */
    for (int n = 1; n <= 120; n++)
        assert_int_equal(open_as(&w, &w.v_agent, arena_printf(&w.a, "SUP-%d", n)), REQUEST_OK);
    assert_int_equal(open_as(&w, &w.v_agent, "SUP-121"), REQUEST_NOT_FOUND);
    world_teardown(&w);
}

static int list_count(World *w, const Viewer *v, const char *scope, const char *q)
{
    RequestListQuery query = {scope, NULL, NULL, q, NULL, NULL, NULL};
    RequestListPage page;
    assert_int_equal(request_list_for_viewer(w->db, &w->a, v, "de", &query, &page), REQUEST_OK);
    return page.count;
}

static void test_list_scopes(void **state)
{
    World w;
    world_setup(&w);
    create(&w, &w.v_anna, "Privat Alpha", NULL, false, NULL, NULL);
    create(&w, &w.v_anna, "Organisation Beta", NULL, true, NULL, NULL);
    create(&w, &w.v_carla, "Carla Gamma", NULL, false, "anna@test.example", NULL);
    create(&w, &w.v_carla, "Carla Delta", NULL, false, NULL, NULL);
    assert_int_equal(list_count(&w, &w.v_anna, "all", NULL), 3);
    assert_int_equal(list_count(&w, &w.v_anna, "mine", NULL), 2);
    assert_int_equal(list_count(&w, &w.v_anna, "shared", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_ben, "all", NULL), 1);    /* the organization's */
    assert_int_equal(list_count(&w, &w.v_ben, "shared", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_ben, "mine", NULL), 0);
    assert_int_equal(list_count(&w, &w.v_carla, "all", NULL), 2);
    assert_int_equal(list_count(&w, &w.v_agent, "all", NULL), 4);  /* agents see all */
    /* search never finds what the viewer may not see */
    assert_int_equal(list_count(&w, &w.v_anna, "all", "Delta"), 0);
    assert_int_equal(list_count(&w, &w.v_anna, "all", "gamm"), 1);
    assert_int_equal(list_count(&w, &w.v_carla, "all", "Alpha"), 0);
    assert_int_equal(list_count(&w, &w.v_agent, "all", "Alpha"), 1);
    world_teardown(&w);
}

static int64_t int_of(World *w, const char *sql)
{
    DbStmt *st = db_prepare(w->db, sql);
    assert_non_null(st);
    int64_t v = -1;
    assert_int_equal(db_run_int(st, &v), DB_OK);
    return v;
}

/* New requests reach the full-text index after their transaction, batch by batch; a search
 * catches up first, so it finds a request created just before it. A comment's refresh of a
 * request not indexed yet and the batch that indexes it later leave one row, with both. */
static void test_search_catches_up(void **state)
{
    World w;
    world_setup(&w);
    CreatedRequest c;
    create(&w, &w.v_anna, "Exportfehler Lohnabrechnung", NULL, false, NULL, &c);
    assert_int_equal(int_of(&w, "SELECT count(*) FROM request_search"), 0);
    assert_true(store_search_behind(w.db));
    assert_int_equal(list_count(&w, &w.v_anna, "all", "Lohnabrechnung"), 1);
    assert_false(store_search_behind(w.db));
    assert_int_equal(int_of(&w, "SELECT count(*) FROM request_search"), 1);

    CreatedRequest d;
    create(&w, &w.v_anna, "Druckerproblem", NULL, false, NULL, &d);
    assert_int_equal(db_exec(w.db, arena_printf(&w.a, "INSERT INTO events (request_id, actor_id, "
                                                      "kind, body, internal, created_at) VALUES "
                                                      "(%lld, %lld, 'comment', 'Toner leer', 0, 1)",
                                                (long long)d.id, (long long)w.anna.id)),
                     DB_OK);
    assert_int_equal(store_request_search_refresh(w.db, d.id), DB_OK);
    assert_int_equal(list_count(&w, &w.v_anna, "all", "Toner"), 1);
    assert_int_equal(list_count(&w, &w.v_anna, "all", "Druckerproblem"), 1);
    assert_int_equal(int_of(&w, "SELECT count(*) FROM request_search"), 2);

    /* more than one batch, indexed by the thread's step */
    for (int i = 0; i < SEARCH_INDEX_BATCH + 10; i++)
        create(&w, &w.v_carla, arena_printf(&w.a, "Massenanfrage %d", i), NULL, false, NULL,
               NULL);
    assert_int_equal(search_index_catch_up(w.db), DB_OK);
    assert_false(store_search_behind(w.db));
    assert_int_equal(int_of(&w, "SELECT count(*) FROM request_search"), SEARCH_INDEX_BATCH + 12);
    assert_int_equal(int_of(&w, "SELECT value FROM counters WHERE name = 'search_indexed'"),
                     int_of(&w, "SELECT max(id) FROM requests"));
    assert_int_equal(list_count(&w, &w.v_carla, "all", "Massenanfrage"), 25); /* a page */
    world_teardown(&w);
}

/* The summary of the first row of viewer's "all" list, "" when empty. */
static const char *list_first(World *w, const Viewer *v)
{
    RequestListQuery query = {"all", NULL, NULL, NULL, NULL, NULL, NULL};
    RequestListPage page;
    assert_int_equal(request_list_for_viewer(w->db, &w->a, v, "de", &query, &page), REQUEST_OK);
    return page.count ? page.items[0].summary : "";
}

static void exec_sql(World *w, const char *sql)
{
    assert_int_equal(db_exec(w->db, sql), DB_OK);
}

/* The list reads request_access, which triggers keep in step with every way a request
 * becomes visible or invisible: organization membership, sharing, participants, updates. */
static int64_t updated_at_of(World *w, int64_t id)
{
    DbStmt *st = db_prepare(w->db, "SELECT updated_at FROM requests WHERE id = ?");
    assert_non_null(st);
    db_bind_int(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t t = db_col_int(st, 0);
    db_done(st);
    return t;
}

/* Every write moves updated_at on, also twice in one second: the SLA pass recomputes a request
 * when updated_at differs from what it saw, and must not miss the second write. */
static void test_updated_at_moves_on_every_write(void **state)
{
    World w;
    world_setup(&w);
    CreatedRequest c;
    create(&w, &w.v_anna, "Zweimal in einer Sekunde", NULL, false, NULL, &c);
    assert_int_equal(updated_at_of(&w, c.id), NOW);
    assert_int_equal(store_request_touch(w.db, c.id, NOW), DB_OK);
    assert_int_equal(updated_at_of(&w, c.id), NOW + 1);
    bool changed = false;
    assert_int_equal(store_request_set_status(w.db, c.id, "open", "in_progress",
                                              NOW + 1, &changed),
                     DB_OK);
    assert_true(changed);
    assert_int_equal(updated_at_of(&w, c.id), NOW + 2);
    assert_int_equal(store_request_set_organization(w.db, c.id, 0, NOW), DB_OK);
    assert_int_equal(updated_at_of(&w, c.id), NOW + 3);
    assert_int_equal(store_request_touch(w.db, c.id, NOW + 60), DB_OK); /* later: the time */
    assert_int_equal(updated_at_of(&w, c.id), NOW + 60);
    world_teardown(&w);
}

static void test_list_follows_access_changes(void **state)
{
    World w;
    world_setup(&w);
    create(&w, &w.v_anna, "Organisation Epsilon", NULL, true, NULL, NULL);
    create(&w, &w.v_carla, "Carla Zeta", NULL, false, "anna@test.example", NULL);
    assert_int_equal(list_count(&w, &w.v_carla, "all", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_anna, "all", NULL), 2);

    /* carla joins anna's organization: she sees its shared request; leaving ends that */
    char *sql = arena_printf(&w.a, "UPDATE users SET organization_id = %lld WHERE id = %lld",
                             (long long)w.anna.organization_id, (long long)w.carla.id);
    exec_sql(&w, sql);
    assert_int_equal(list_count(&w, &w.v_carla, "all", NULL), 2);
    assert_int_equal(list_count(&w, &w.v_carla, "shared", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_carla, "all", "Epsilon"), 1);
    exec_sql(&w, arena_printf(&w.a, "UPDATE users SET organization_id = NULL WHERE id = %lld",
                              (long long)w.carla.id));
    assert_int_equal(list_count(&w, &w.v_carla, "all", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_carla, "all", "Epsilon"), 0);

    /* a new member of the organization sees its shared requests from the start */
    User dora;
    Viewer v_dora;
    add_user(&w, &dora, "dora@test.example", "Dora", "customer", w.anna.organization_id,
             &v_dora);
    assert_int_equal(list_count(&w, &v_dora, "all", NULL), 1);

    /* anna stops sharing with the organization: ben and dora lose it, anna keeps it */
    exec_sql(&w, "UPDATE requests SET organization_id = NULL WHERE summary = "
                 "'Organisation Epsilon'");
    assert_int_equal(list_count(&w, &w.v_ben, "all", NULL), 0);
    assert_int_equal(list_count(&w, &v_dora, "all", NULL), 0);
    assert_int_equal(list_count(&w, &w.v_anna, "all", NULL), 2);

    /* the newest change comes first for everyone who sees the request */
    exec_sql(&w, arena_printf(&w.a, "UPDATE requests SET updated_at = %lld WHERE summary = "
                                    "'Organisation Epsilon'", (long long)NOW + 60));
    assert_string_equal(list_first(&w, &w.v_anna), "Organisation Epsilon");
    exec_sql(&w, arena_printf(&w.a, "UPDATE requests SET updated_at = %lld WHERE summary = "
                                    "'Carla Zeta'", (long long)NOW + 120));
    assert_string_equal(list_first(&w, &w.v_anna), "Carla Zeta");
    assert_string_equal(list_first(&w, &w.v_carla), "Carla Zeta");

    /* removing anna as participant removes the request from her list, not from carla's */
    exec_sql(&w, arena_printf(&w.a, "DELETE FROM participants WHERE user_id = %lld",
                              (long long)w.anna.id));
    assert_int_equal(list_count(&w, &w.v_anna, "all", NULL), 1);
    assert_int_equal(list_count(&w, &w.v_anna, "all", "Zeta"), 0);
    assert_int_equal(list_count(&w, &w.v_carla, "all", NULL), 1);
    world_teardown(&w);
}

/* The list's rows carry copies of the request's list columns (migration 013): an edit of the
 * summary, the status or the type shows in every list that holds the request at once, and a
 * shared row names its reporter while the reporter's own row does not need to. */
static const RequestListItem *list_item(World *w, const Viewer *v, const char *summary)
{
    RequestListQuery query = {"all", NULL, NULL, NULL, NULL, NULL, NULL};
    RequestListPage page;
    assert_int_equal(request_list_for_viewer(w->db, &w->a, v, "de", &query, &page), REQUEST_OK);
    for (int i = 0; i < page.count; i++)
        if (str_eq(page.items[i].summary, summary))
            return &page.items[i];
    return NULL;
}

static void test_list_columns_follow_edits(void **state)
{
    World w;
    world_setup(&w);
    CreatedRequest c;
    create(&w, &w.v_anna, "Kopie Eta", NULL, true, NULL, &c);
    const RequestListItem *mine = list_item(&w, &w.v_anna, "Kopie Eta");
    const RequestListItem *shared = list_item(&w, &w.v_ben, "Kopie Eta");
    assert_non_null(mine);
    assert_non_null(shared);
    assert_true(mine->reported_by_viewer);
    assert_false(shared->reported_by_viewer);
    assert_string_equal(shared->reporter_name, w.anna.name);
    assert_string_equal(shared->status, "open");

    exec_sql(&w, arena_printf(&w.a, "UPDATE requests SET summary = 'Kopie Theta', "
                                    "status = 'resolved', updated_at = %lld WHERE id = %lld",
                              (long long)NOW + 30, (long long)c.id));
    assert_null(list_item(&w, &w.v_anna, "Kopie Eta"));
    const RequestListItem *after = list_item(&w, &w.v_ben, "Kopie Theta");
    assert_non_null(after);
    assert_string_equal(after->status, "resolved");
    assert_int_equal(after->updated_at, NOW + 30);
    assert_non_null(list_item(&w, &w.v_anna, "Kopie Theta"));

    /* a status change alone (no new time) reaches the copies too */
    exec_sql(&w, arena_printf(&w.a, "UPDATE requests SET status = 'closed' WHERE id = %lld",
                              (long long)c.id));
    assert_string_equal(list_item(&w, &w.v_ben, "Kopie Theta")->status, "closed");

    /* a participant added later gets a row with the current columns */
    exec_sql(&w, arena_printf(&w.a, "INSERT INTO participants (request_id, user_id, created_at) "
                                    "VALUES (%lld, %lld, %lld)",
                              (long long)c.id, (long long)w.carla.id, (long long)NOW));
    const RequestListItem *carla = list_item(&w, &w.v_carla, "Kopie Theta");
    assert_non_null(carla);
    assert_string_equal(carla->status, "closed");
    assert_string_equal(carla->key, mine->key);

    /* the type's name comes from the catalog: also for a switched-off type, and for a type
     * this thread's snapshot does not know yet */
    const char *type_name = arena_strdup(&w.a, carla->type_name);
    assert_true(type_name[0] != '\0');
    exec_sql(&w, "UPDATE request_types SET active = 0");
    catalog_invalidate();
    assert_string_equal(list_item(&w, &w.v_carla, "Kopie Theta")->type_name, type_name);
    exec_sql(&w, "INSERT INTO request_types (key, name_de, name_en, description_de, "
                 "description_en, icon, position, active, created_at) VALUES ('neu', "
                 "'Neue Art', 'New kind', '', '', 'help', 99, 1, 0)");
    exec_sql(&w, arena_printf(&w.a, "UPDATE requests SET type_id = (SELECT id FROM "
                                    "request_types WHERE key = 'neu') WHERE id = %lld",
                              (long long)c.id));
    const RequestListItem *moved = list_item(&w, &w.v_carla, "Kopie Theta");
    assert_string_equal(moved->type_key, "neu");
    assert_string_equal(moved->type_name, "Neue Art");
    world_teardown(&w);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-requests-XXXXXX");
    if (!mkdtemp(temp_root))
        return -1;
    cfg.key_prefix = "SUP";
    cfg.mail_from = "Support <support@example.com>";
    cfg.portal_name = "Testportal";
    cfg.base_url = "https://support.example.com";
    cfg.verify_token_hours = 24;
    cfg.max_attachment_bytes = 10 << 20;
    cfg.max_request_attachment_bytes = 50 << 20;
    return 0;
}

static int group_teardown(void **state)
{
    nftw(temp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_key),
        cmocka_unit_test(test_field_checks),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_options_parse),
        cmocka_unit_test(test_participants),
        cmocka_unit_test(test_match_expression),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_create_and_access),
        cmocka_unit_test(test_submit_token_is_idempotent),
        cmocka_unit_test(test_numbers_unique_under_concurrency),
        cmocka_unit_test(test_list_scopes),
        cmocka_unit_test(test_search_catches_up),
        cmocka_unit_test(test_list_follows_access_changes),
        cmocka_unit_test(test_list_columns_follow_edits),
        cmocka_unit_test(test_updated_at_moves_on_every_write),
    };
    return cmocka_run_group_tests_name("requests", tests, group_setup, group_teardown);
}
