/* test_workflow: the status workflow every desk action and automatic transition obeys (each
 * allowed step, each refused one, the list of next statuses the desk offers), the priorities,
 * and the placeholders of canned responses (known ones filled, unknown ones and stray braces
 * left as written). Table-driven; no database. */
#include "core/arena.h"
#include "domain/desk.h"
#include "domain/workflow.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const struct {
    const char *from, *to;
    bool allowed;
} STEPS[] = {
    {"open", "in_progress", true},
    {"open", "waiting_customer", true},
    {"open", "resolved", true},
    {"open", "waiting_support", false},
    {"open", "closed", false},
    {"open", "open", false},
    {"in_progress", "waiting_customer", true},
    {"in_progress", "waiting_support", true},
    {"in_progress", "resolved", true},
    {"in_progress", "open", false},
    {"in_progress", "closed", false},
    {"waiting_customer", "waiting_support", true},
    {"waiting_customer", "in_progress", true},
    {"waiting_customer", "resolved", true},
    {"waiting_customer", "closed", false},
    {"waiting_support", "waiting_customer", true},
    {"waiting_support", "in_progress", true},
    {"waiting_support", "closed", false},
    {"resolved", "closed", true},
    {"resolved", "open", true},
    {"resolved", "in_progress", true},
    {"resolved", "waiting_customer", false},
    {"closed", "open", true},
    {"closed", "in_progress", true},
    {"closed", "resolved", false},
    {"closed", "closed", false},
    {"nonsense", "open", false},
    {"open", "nonsense", false},
    {"", "", false},
};

static void test_status_steps(void **state)
{
    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++) {
        bool got = workflow_status_allowed(STEPS[i].from, STEPS[i].to);
        if (got != STEPS[i].allowed)
            fail_msg("%s -> %s: expected %d", STEPS[i].from, STEPS[i].to, STEPS[i].allowed);
    }
}

static void test_next_statuses_match_the_steps(void **state)
{
    for (int f = 0; f < WORKFLOW_STATUS_COUNT; f++) {
        const char *next[WORKFLOW_STATUS_COUNT];
        int n = workflow_next_statuses(WORKFLOW_STATUSES[f], next);
        int expected = 0;
        for (int t = 0; t < WORKFLOW_STATUS_COUNT; t++)
            expected += workflow_status_allowed(WORKFLOW_STATUSES[f], WORKFLOW_STATUSES[t]);
        assert_int_equal(n, expected);
        assert_true(n > 0); /* no status is a dead end: closed can be reopened */
        for (int i = 0; i < n; i++)
            assert_true(workflow_status_allowed(WORKFLOW_STATUSES[f], next[i]));
    }
    const char *next[WORKFLOW_STATUS_COUNT];
    assert_int_equal(workflow_next_statuses("nonsense", next), 0);
}

static void test_priorities(void **state)
{
    assert_true(workflow_priority_known("low"));
    assert_true(workflow_priority_known("critical"));
    assert_false(workflow_priority_known("urgent"));
    assert_false(workflow_priority_known(""));
    assert_string_equal(workflow_priority_msgid("high"), "High");
    assert_string_equal(workflow_priority_msgid("urgent"), "urgent");
}

static const struct {
    const char *body, *expected;
} FILLS[] = {
    {"Hallo {{customer_name}}, zu {{request_key}}.", "Hallo Carla Kunde, zu SUP-7."},
    {"{{ agent_name }} / {{portal_name}}", "Alex Agent / Beleglicht Support"},
    {"Betreff: {{request_summary}}", "Betreff: Export <stops> & \"more\""},
    {"{{unknown}} and {{customer_name", "{{unknown}} and {{customer_name"},
    {"{{{{customer_name}}}}", "{{Carla Kunde}}"},
    {"no placeholders", "no placeholders"},
    {"", ""},
    {"ends with {{", "ends with {{"},
};

static void test_canned_fill(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof FILLS / sizeof FILLS[0]; i++) {
        const char *got = canned_fill(&a, FILLS[i].body, "Carla Kunde", "SUP-7",
                                      "Export <stops> & \"more\"", "Alex Agent",
                                      "Beleglicht Support");
        assert_string_equal(got, FILLS[i].expected);
    }
    assert_string_equal(canned_fill(&a, NULL, "", "", "", "", ""), "");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_steps),
        cmocka_unit_test(test_next_statuses_match_the_steps),
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_canned_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
