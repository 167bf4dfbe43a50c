/* sla_settings (domain): reading and checking the SLA settings form - time zone, working hours
 * per weekday, holidays, targets per priority - and saving it with an audit entry. Every
 * problem is collected with the field it belongs to; nothing is stored unless all is well.
 * No HTTP here: the page passes the submitted texts in. */
#ifndef PFORTE_DOMAIN_SLA_SETTINGS_H
#define PFORTE_DOMAIN_SLA_SETTINGS_H
#include "core/arena.h"
#include "domain/sla.h"
#include "store/db.h"
#include "store/sla.h"
#include <stdint.h>

#define SLA_FORM_MAX_ERRORS 24
#define SLA_HOLIDAY_NAME_MAX 100 /* characters */
#define SLA_HOLIDAYS_TEXT_MAX 40000 /* bytes of the holidays field */

/* The form as typed: times "08:00" (both empty = day off; index 1 = Monday .. 7 = Sunday),
 * holidays one a line "2026-12-24 Heiligabend" (or "24.12.2026 ..."), targets in business
 * hours "4" or hours:minutes "0:30" (index SLA_PRIORITY_*). */
typedef struct SlaSettingsForm {
    const char *time_zone;
    const char *open[8], *close[8];
    const char *holidays;
    const char *first_response[SLA_PRIORITY_COUNT];
    const char *resolution[SLA_PRIORITY_COUNT];
} SlaSettingsForm;

/* One problem: the field ("time_zone", "open_3", "holidays", "resolution_high", ...), an
 * English msgid with %{day} %{value} %{line} %{start} %{end} %{max} %{priority} placeholders,
 * and the values to fill in. */
typedef struct SlaFormError {
    const char *field;
    const char *msgid;
    int weekday;  /* for %{day}: 1..7, 0 = none */
    int priority; /* for %{priority}: SLA_PRIORITY_*, -1 = none */
    int line;
    const char *value, *start, *end;
} SlaFormError;

typedef struct SlaFormErrors {
    SlaFormError items[SLA_FORM_MAX_ERRORS];
    int count;
    SlaFormError spare; /* written instead of items once they are full (not shown) */
} SlaFormErrors;

typedef enum { SLA_SAVE_OK, SLA_SAVE_INVALID, SLA_SAVE_UNAVAILABLE, SLA_SAVE_ERROR } SlaSaveResult;

/* The stored settings as form texts (for showing the form). */
void sla_settings_form_from(Arena *a, const SlaSettingsRow *s, SlaSettingsForm *out);
/* Checks form into *out (strings in a); false with errors filled when anything is wrong. */
bool sla_settings_parse(Arena *a, const SlaSettingsForm *form, SlaSettingsRow *out,
                        SlaFormErrors *errors);
/* Checks and stores form in one transaction with an audit entry by actor_id from ip; marks
 * every request's SLA columns for recomputation. */
SlaSaveResult sla_settings_save(Db *db, Arena *a, const SlaSettingsForm *form, int64_t actor_id,
                                const char *ip, int64_t now, SlaFormErrors *errors);
/* The message of e in lang, placeholders filled. */
const char *sla_form_error_text(Arena *a, const char *lang, const SlaFormError *e);
/* "Monday" ... in lang (weekday 1..7). */
const char *sla_weekday_name(const char *lang, int weekday);
/* The msgid of a priority's name ("Critical"), NULL when out of range. */
const char *sla_priority_msgid(int priority);
/* Minutes as the form shows a target: "4", "0:30", "1:15". */
const char *sla_minutes_text(Arena *a, int64_t minutes);

#endif
