/* test_desk_queues: the queues' cursors (with and without the priority rank) and priority
 * names (table-driven), and against a temporary SQLite database migrated from scratch (001 to
 * 003, then 009 across the numbers other branches hold): customers get no queues, agents get
 * the counts, a page of a queue by every sort, and the keyset pages of the priority sort
 * cover every request once. */
#include "core/arena.h"
#include "core/config.h"
#include "core/str.h"
#include "domain/demo.h"
#include "domain/desk_queues.h"
#include "store/db.h"
#include "store/requests.h"
#include "store/users.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char temp_root[256];

static void test_cursor(void **state)
{
    static const struct {
        const char *text;
        bool with_rank, ok;
        int64_t rank, time, id;
    } CASES[] = {
        {"1764460740.42", false, true, 0, 1764460740, 42},
        {"4.1764460740.42", true, true, 4, 1764460740, 42},
        {"0.0.0", true, true, 0, 0, 0},
        {"4.1764460740.42", false, false, 0, 0, 0}, /* three parts without rank */
        {"1764460740.42", true, false, 0, 0, 0},    /* rank missing */
        {"12.1.1", true, false, 0, 0, 0},           /* rank is one digit */
        {"x.1.1", true, false, 0, 0, 0},
        {".1.1", true, false, 0, 0, 0},
        {"", true, false, 0, 0, 0},
        {"-1.2", false, false, 0, 0, 0},
        {"1.2.", true, false, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        int64_t rank = -1, time = -1, id = -1;
        bool ok = desk_queue_parse_cursor(CASES[i].text, CASES[i].with_rank, &rank, &time, &id);
        if (ok != CASES[i].ok)
            fail_msg("cursor \"%s\" (rank %d): %d", CASES[i].text, CASES[i].with_rank, ok);
        if (ok && (rank != CASES[i].rank || time != CASES[i].time || id != CASES[i].id))
            fail_msg("cursor \"%s\": %lld.%lld.%lld", CASES[i].text, (long long)rank,
                     (long long)time, (long long)id);
    }
    int64_t r, t, id;
    assert_false(desk_queue_parse_cursor(NULL, true, &r, &t, &id));
}

static void test_priorities(void **state)
{
    assert_string_equal(desk_priority_msgid("low"), "Low");
    assert_string_equal(desk_priority_msgid("critical"), "Critical");
    assert_string_equal(desk_priority_msgid("strange"), "strange");
    assert_true(store_priority_rank("critical") > store_priority_rank("high"));
    assert_true(store_priority_rank("high") > store_priority_rank("medium"));
    assert_true(store_priority_rank("medium") > store_priority_rank("low"));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

typedef struct World {
    Db *db;
    Arena a;
    Viewer customer, agent;
    User customer_user, agent_user;
    int64_t type_id;
} World;

static void add_user(World *w, User *u, const char *email, const char *role, Viewer *v)
{
    memset(u, 0, sizeof *u);
    u->email = (char *)email;
    u->name = (char *)email;
    u->role = (char *)role;
    u->lang = "de";
    assert_int_equal(store_user_insert(w->db, u, 1000, &u->id), DB_OK);
    request_viewer_from_user(v, u);
}

/* n open requests updated at 1000 + i, every fourth waiting for the customer; priorities
 * cycle low..critical by id. */
static void add_requests(World *w, int n)
{
    int64_t first;
    assert_int_equal(store_request_number_reserve(w->db, n, &first), DB_OK);
    for (int i = 0; i < n; i++) {
        NewRequestRow row = {0};
        row.number = first + i;
        row.type_id = w->type_id;
        row.reporter_id = w->customer.user_id;
        row.summary = arena_printf(&w->a, "Anfrage %d", i);
        row.status = i % 4 == 0 ? "waiting_customer" : "open";
        row.reply_token = arena_printf(&w->a, "token%d", i);
        row.created_at = 1000 + i;
        row.updated_at = 1000 + i;
        int64_t id;
        assert_int_equal(store_request_insert(w->db, &row, &id), DB_OK);
    }
    assert_int_equal(db_exec(w->db, "UPDATE requests SET priority = CASE id % 4 WHEN 0 THEN "
                                    "'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE "
                                    "'critical' END"),
                     DB_OK);
}

static void world_setup(World *w)
{
    memset(w, 0, sizeof *w);
    arena_init(&w->a, 1 << 16);
    const char *dir = arena_printf(&w->a, "%s/data", temp_root);
    assert_int_equal(mkdir(dir, 0700), 0);
    w->db = db_open(arena_printf(&w->a, "%s/pforte.db", dir));
    assert_non_null(w->db);
    assert_int_equal(db_migrate(w->db), DB_OK);
    assert_true(db_schema_version(w->db) >= 9); /* 009 applied after the gap */
    bool created = false;
    assert_int_equal(demo_fill_if_empty(w->db, &created), DB_OK);
    add_user(w, &w->customer_user, "kunde@example.com", "customer", &w->customer);
    add_user(w, &w->agent_user, "agent@example.com", "agent", &w->agent);
    RequestType *types;
    int count;
    assert_int_equal(store_request_types(w->db, &w->a, true, &types, &count), DB_OK);
    assert_true(count > 0);
    w->type_id = types[0].id;
}

static int count_of(const DeskQueuePage *p, const char *key)
{
    for (int i = 0; i < p->queue_count; i++)
        if (str_eq(p->queues[i].key, key))
            return (int)p->queues[i].count;
    fail_msg("no queue %s", key);
    return -1;
}

static void test_queues(void **state)
{
    World w;
    world_setup(&w);
    add_requests(&w, 60);
    assert_int_equal(db_exec(w.db, "UPDATE requests SET assignee_id = (SELECT id FROM users "
                                   "WHERE email = 'agent@example.com') WHERE id % 3 = 0"),
                     DB_OK);
    DeskQueuePage page;
    DeskQueueQuery q = {0};
    assert_int_equal(desk_queue_read(w.db, &w.a, &w.customer, "de", &q, &page),
                     REQUEST_NOT_FOUND);
    assert_int_equal(desk_queue_read(w.db, &w.a, &w.agent, "de", &q, &page), REQUEST_OK);
    assert_string_equal(page.params.queue, "open");
    assert_int_equal(count_of(&page, "open"), 60);
    assert_int_equal(count_of(&page, "mine"), 20);
    assert_int_equal(count_of(&page, "unassigned"), 40);
    assert_int_equal(count_of(&page, "waiting-customer"), 15);
    assert_int_equal(count_of(&page, "resolved"), 0);
    assert_int_equal(page.count, DESK_QUEUE_PAGE_SIZE);
    assert_non_null(page.next_cursor);
    assert_null(page.prev_cursor);

    /* every sort pages through all 60 once, in order */
    const char *sorts[] = {"updated", "oldest", "created", "priority"};
    for (int s = 0; s < 4; s++) {
        bool seen[60] = {0};
        int total = 0;
        const char *after = NULL;
        int64_t last_rank = 5, last_time = s == 1 ? -1 : INT64_MAX;
        do {
            DeskQueueQuery pq = {.sort = sorts[s], .after = after};
            assert_int_equal(desk_queue_read(w.db, &w.a, &w.agent, "de", &pq, &page), REQUEST_OK);
            for (int i = 0; i < page.count; i++) {
                int n = atoi(page.items[i].summary + strlen("Anfrage "));
                if (seen[n])
                    fail_msg("%s: request %d twice", sorts[s], n);
                seen[n] = true;
                total++;
                int64_t rank = store_priority_rank(page.items[i].priority);
                int64_t t = page.items[i].updated_at;
                if (s == 3) {
                    assert_true(rank < last_rank || (rank == last_rank && t < last_time));
                    last_rank = rank;
                    last_time = t;
                } else if (s == 1) {
                    assert_true(t > last_time);
                    last_time = t;
                } else {
                    assert_true(t < last_time);
                    last_time = t;
                }
            }
            after = page.next_cursor;
        } while (after);
        assert_int_equal(total, 60);
    }

    /* filters: priority and assignee */
    DeskQueueQuery fq = {.queue = "mine", .priority = "critical"};
    assert_int_equal(desk_queue_read(w.db, &w.a, &w.agent, "de", &fq, &page), REQUEST_OK);
    assert_true(page.params.filtered);
    for (int i = 0; i < page.count; i++)
        assert_string_equal(page.items[i].priority, "critical");
    assert_true(page.count > 0);
    DeskQueueQuery none = {.assignee = "none", .sort = "nonsense"};
    assert_int_equal(desk_queue_read(w.db, &w.a, &w.agent, "de", &none, &page), REQUEST_OK);
    assert_string_equal(page.params.sort, "updated");
    for (int i = 0; i < page.count; i++)
        assert_string_equal(page.items[i].assignee, "");
    db_close(w.db);
    arena_free(&w.a);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-queues-XXXXXX");
    if (!mkdtemp(temp_root))
        return -1;
    cfg.key_prefix = "SUP";
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
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_queues),
    };
    return cmocka_run_group_tests_name("desk_queues", tests, group_setup, group_teardown);
}
