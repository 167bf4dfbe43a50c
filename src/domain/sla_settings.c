/* sla_settings: parses and checks the SLA settings form, and saves it with an audit entry.
 * Limits (checked, tested): zone names as tz_name_is_valid and present in the system's zone
 * files; times 00:00-24:00; targets 0:01 to SLA_TARGET_MAX_MINUTES; at most SLA_HOLIDAYS_MAX
 * holidays with names of at most SLA_HOLIDAY_NAME_MAX characters. */
#include "domain/sla_settings.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "core/tz.h"
#include "store/accounts.h"
#include <string.h>

static const char *const WEEKDAY_NAMES[8] = {"",          N_("Monday"),   N_("Tuesday"),
                                             N_("Wednesday"), N_("Thursday"), N_("Friday"),
                                             N_("Saturday"), N_("Sunday")};
static const char *const PRIORITY_MSGIDS[SLA_PRIORITY_COUNT] = {N_("Low"), N_("Medium"),
                                                                N_("High"), N_("Critical")};

const char *sla_weekday_name(const char *lang, int weekday)
{
    return weekday >= 1 && weekday <= 7 ? i18n_get(lang, WEEKDAY_NAMES[weekday]) : "";
}

const char *sla_priority_msgid(int priority)
{
    return priority >= 0 && priority < SLA_PRIORITY_COUNT ? PRIORITY_MSGIDS[priority] : NULL;
}

const char *sla_minutes_text(Arena *a, int64_t minutes)
{
    if (minutes % 60 == 0)
        return arena_printf(a, "%lld", (long long)(minutes / 60));
    return arena_printf(a, "%lld:%02lld", (long long)(minutes / 60), (long long)(minutes % 60));
}

static const char *clock_text(Arena *a, int minute)
{
    return arena_printf(a, "%02d:%02d", minute / 60, minute % 60);
}

void sla_settings_form_from(Arena *a, const SlaSettingsRow *s, SlaSettingsForm *out)
{
    memset(out, 0, sizeof *out);
    out->time_zone = s->time_zone;
    for (int d = 1; d <= 7; d++) {
        bool open = s->open_minute[d] < s->close_minute[d];
        out->open[d] = open ? clock_text(a, s->open_minute[d]) : "";
        out->close[d] = open ? clock_text(a, s->close_minute[d]) : "";
    }
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < s->holiday_count; i++)
        buf_printf(&b, "%s%s%s\n", s->holidays[i].day, str_empty(s->holidays[i].name) ? "" : " ",
                   s->holidays[i].name ? s->holidays[i].name : "");
    out->holidays = buf_cstr(&b);
    SlaTargets defaults;
    sla_targets_default(&defaults);
    for (int p = 0; p < SLA_PRIORITY_COUNT; p++) {
        int64_t fr = defaults.first_response_minutes[p], res = defaults.resolution_minutes[p];
        for (int i = 0; i < s->target_count; i++)
            if (sla_priority_index(s->targets[i].priority) == p) {
                fr = s->targets[i].first_response_minutes;
                res = s->targets[i].resolution_minutes;
            }
        out->first_response[p] = sla_minutes_text(a, fr);
        out->resolution[p] = sla_minutes_text(a, res);
    }
}

static SlaFormError *add_error(SlaFormErrors *e, const char *field, const char *msgid)
{
    if (e->count >= SLA_FORM_MAX_ERRORS)
        return &e->spare;
    SlaFormError *it = &e->items[e->count++];
    memset(it, 0, sizeof *it);
    it->field = field;
    it->msgid = msgid;
    it->priority = -1;
    return it;
}

/* "8:00", "08:00", "24:00" -> minutes after midnight; false otherwise. */
static bool parse_clock(const char *s, int *minute)
{
    int h = 0, m = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 3) {
        h = h * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 2 || *s++ != ':')
        return false;
    if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') || s[2] != '\0')
        return false;
    m = (s[0] - '0') * 10 + (s[1] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *minute = h * 60 + m;
    return true;
}

/* "4", "0:30", "18:15" (hours[:minutes]) -> minutes; false when malformed or huge. */
static bool parse_duration(const char *s, int64_t *minutes)
{
    int64_t h = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        if (++digits > 6)
            return false;
        h = h * 10 + (*s++ - '0');
    }
    if (digits == 0)
        return false;
    int64_t m = 0;
    if (*s == ':') {
        s++;
        if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') || s[2] != '\0')
            return false;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        if (m > 59)
            return false;
    } else if (*s != '\0') {
        return false;
    }
    *minutes = h * 60 + m;
    return true;
}

/* "2026-12-24" or "24.12.2026" -> canonical "2026-12-24" in a, or NULL. */
static const char *parse_date(Arena *a, const char *s, size_t n)
{
    int y = 0, m = 0, d = 0;
    char buf[11];
    if (n != 10)
        return NULL;
    memcpy(buf, s, 10);
    buf[10] = '\0';
    bool iso = buf[4] == '-' && buf[7] == '-', german = buf[2] == '.' && buf[5] == '.';
    for (int i = 0; i < 10; i++) {
        bool sep = iso ? (i == 4 || i == 7) : (i == 2 || i == 5);
        if (!sep && (buf[i] < '0' || buf[i] > '9'))
            return NULL;
    }
    if (iso) {
        y = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 + (buf[3] - '0');
        m = (buf[5] - '0') * 10 + (buf[6] - '0');
        d = (buf[8] - '0') * 10 + (buf[9] - '0');
    } else if (german) {
        d = (buf[0] - '0') * 10 + (buf[1] - '0');
        m = (buf[3] - '0') * 10 + (buf[4] - '0');
        y = (buf[6] - '0') * 1000 + (buf[7] - '0') * 100 + (buf[8] - '0') * 10 + (buf[9] - '0');
    } else {
        return NULL;
    }
    if (!tz_date_is_valid(y, m, d) || y < 1970)
        return NULL;
    return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

static void parse_zone(Arena *a, const char *text, SlaSettingsRow *out, SlaFormErrors *e)
{
    char *zone = str_trim(a, text ? text : "");
    out->time_zone = zone;
    if (str_empty(zone))
        add_error(e, "time_zone", N_("Enter a time zone, for example Europe/Berlin."));
    else if (!tz_load(a, zone))
        add_error(e, "time_zone",
                  N_("“%{value}” is not a known time zone. Use a name like Europe/Berlin."))
            ->value = strlen(zone) > 64 ? arena_strndup(a, zone, 64) : zone;
}

static void parse_hours(Arena *a, const SlaSettingsForm *f, SlaSettingsRow *out, SlaFormErrors *e)
{
    bool any = false;
    int errors_before = e->count;
    for (int d = 1; d <= 7; d++) {
        const char *open = str_trim(a, f->open[d] ? f->open[d] : "");
        const char *close = str_trim(a, f->close[d] ? f->close[d] : "");
        const char *open_field = arena_printf(a, "open_%d", d);
        const char *close_field = arena_printf(a, "close_%d", d);
        out->open_minute[d] = out->close_minute[d] = 0;
        if (!*open && !*close)
            continue;
        if (!*open || !*close) {
            add_error(e, *open ? close_field : open_field,
                      N_("%{day}: enter both the start and the end of the working hours, or "
                         "neither for a day off."))
                ->weekday = d;
            continue;
        }
        int from, to;
        bool ok = true;
        if (!parse_clock(open, &from)) {
            SlaFormError *it = add_error(e, open_field, N_("%{day}: “%{value}” is not a time. "
                                                           "Use hours and minutes like 08:00."));
            it->weekday = d;
            it->value = open;
            ok = false;
        }
        if (!parse_clock(close, &to)) {
            SlaFormError *it = add_error(e, close_field, N_("%{day}: “%{value}” is not a time. "
                                                            "Use hours and minutes like 08:00."));
            it->weekday = d;
            it->value = close;
            ok = false;
        }
        if (ok && to <= from) {
            SlaFormError *it = add_error(
                e, close_field, N_("%{day}: the end (%{end}) must be after the start (%{start})."));
            it->weekday = d;
            it->start = open;
            it->end = close;
            ok = false;
        }
        if (ok) {
            out->open_minute[d] = from;
            out->close_minute[d] = to;
            any = true;
        }
    }
    if (!any && e->count == errors_before)
        add_error(e, "open_1", N_("At least one weekday needs working hours."));
}

static void parse_holidays(Arena *a, const char *text, SlaSettingsRow *out, SlaFormErrors *e)
{
    out->holidays = NULL;
    out->holiday_count = 0;
    text = text ? text : "";
    if (strlen(text) > SLA_HOLIDAYS_TEXT_MAX) {
        add_error(e, "holidays", N_("The list of holidays is too long (at most %{max} lines)."));
        return;
    }
    int cap = 0, line = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        line++;
        char *row = str_trim(a, arena_strndup(a, p, n));
        p += n + (end ? 1 : 0);
        if (!*row)
            continue;
        size_t date_len = strcspn(row, " \t");
        const char *day = parse_date(a, row, date_len);
        const char *name = str_trim(a, row + date_len);
        if (!day) {
            SlaFormError *it = add_error(e, "holidays",
                                         N_("Line %{line}: “%{value}” is not a date. Write "
                                            "2026-12-24 or 24.12.2026, then the name if you like."));
            it->line = line;
            it->value = arena_strndup(a, row, date_len > 40 ? 40 : date_len);
            continue;
        }
        if (str_utf8_len(name) > SLA_HOLIDAY_NAME_MAX) {
            add_error(e, "holidays",
                      N_("Line %{line}: the name is longer than %{max} characters."))
                ->line = line;
            continue;
        }
        if (out->holiday_count >= SLA_HOLIDAYS_MAX) {
            add_error(e, "holidays", N_("The list of holidays is too long (at most %{max} lines)."));
            return;
        }
        bool twice = false;
        for (int i = 0; i < out->holiday_count && !twice; i++)
            twice = str_eq(out->holidays[i].day, day);
        if (twice) {
            SlaFormError *it = add_error(e, "holidays", N_("Line %{line}: %{value} is listed twice."));
            it->line = line;
            it->value = day;
            continue;
        }
        out->holidays = arena_grow_array(a, out->holidays, out->holiday_count, &cap,
                                         sizeof *out->holidays);
        out->holidays[out->holiday_count++] = (SlaHolidayRow){(char *)day, (char *)name};
    }
}

static void parse_targets(Arena *a, const SlaSettingsForm *f, SlaSettingsRow *out,
                          SlaFormErrors *e)
{
    out->targets = arena_alloc(a, sizeof *out->targets * SLA_PRIORITY_COUNT);
    out->target_count = SLA_PRIORITY_COUNT;
    for (int p = 0; p < SLA_PRIORITY_COUNT; p++) {
        const char *texts[2] = {f->first_response[p], f->resolution[p]};
        int64_t minutes[2] = {0, 0};
        for (int k = 0; k < 2; k++) {
            const char *field = arena_printf(a, "%s_%s", k ? "resolution" : "first_response",
                                             sla_priority_key(p));
            const char *t = str_trim(a, texts[k] ? texts[k] : "");
            const char *msgid = NULL;
            if (!parse_duration(t, &minutes[k]))
                msgid = k ? N_("%{priority}, resolution: “%{value}” is not a duration. Write "
                               "business hours like 8, or hours and minutes like 0:30.")
                          : N_("%{priority}, first response: “%{value}” is not a duration. Write "
                               "business hours like 8, or hours and minutes like 0:30.");
            else if (minutes[k] < 1 || minutes[k] > SLA_TARGET_MAX_MINUTES)
                msgid = k ? N_("%{priority}, resolution: the target must be between 0:01 and "
                               "%{max} business hours.")
                          : N_("%{priority}, first response: the target must be between 0:01 "
                               "and %{max} business hours.");
            if (msgid) {
                SlaFormError *it = add_error(e, field, msgid);
                it->priority = p;
                it->value = strlen(t) > 40 ? arena_strndup(a, t, 40) : t;
            }
        }
        out->targets[p] = (SlaTargetRow){(char *)sla_priority_key(p), minutes[0], minutes[1]};
    }
}

bool sla_settings_parse(Arena *a, const SlaSettingsForm *form, SlaSettingsRow *out,
                        SlaFormErrors *errors)
{
    memset(out, 0, sizeof *out);
    errors->count = 0;
    parse_zone(a, form->time_zone, out, errors);
    parse_hours(a, form, out, errors);
    parse_holidays(a, form->holidays, out, errors);
    parse_targets(a, form, out, errors);
    return errors->count == 0;
}

SlaSaveResult sla_settings_save(Db *db, Arena *a, const SlaSettingsForm *form, int64_t actor_id,
                                const char *ip, int64_t now, SlaFormErrors *errors)
{
    SlaSettingsRow row;
    if (!sla_settings_parse(a, form, &row, errors))
        return SLA_SAVE_INVALID;
    DbResult r = db_begin(db);
    if (r == DB_OK)
        r = store_sla_settings_save(db, &row);
    if (r == DB_OK)
        r = store_audit(db, actor_id, "sla_settings_saved", row.time_zone,
                        arena_printf(a, "holidays=%d", row.holiday_count), ip, now);
    if (r == DB_OK)
        r = db_commit(db);
    else
        db_rollback(db);
    if (r == DB_OK)
        return SLA_SAVE_OK;
    return r == DB_BUSY ? SLA_SAVE_UNAVAILABLE : SLA_SAVE_ERROR;
}

const char *sla_form_error_text(Arena *a, const char *lang, const SlaFormError *e)
{
    const char *s = i18n_get(lang, e->msgid);
    int64_t max = str_eq(e->field, "holidays") ? (strstr(e->msgid, "name") ? SLA_HOLIDAY_NAME_MAX
                                                                           : SLA_HOLIDAYS_MAX)
                                               : SLA_TARGET_MAX_MINUTES / 60;
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    while (*s) {
        const char *open = strstr(s, "%{");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(&b, s);
            break;
        }
        buf_append(&b, s, (size_t)(open - s));
        size_t n = (size_t)(close - open - 2);
        const char *name = open + 2;
        if (n == 3 && !strncmp(name, "day", 3))
            buf_puts(&b, sla_weekday_name(lang, e->weekday));
        else if (n == 8 && !strncmp(name, "priority", 8))
            buf_puts(&b, e->priority >= 0 ? i18n_get(lang, PRIORITY_MSGIDS[e->priority]) : "");
        else if (n == 4 && !strncmp(name, "line", 4))
            buf_printf(&b, "%d", e->line);
        else if (n == 3 && !strncmp(name, "max", 3))
            buf_printf(&b, "%lld", (long long)max);
        else if (n == 5 && !strncmp(name, "value", 5))
            buf_puts(&b, e->value ? e->value : "");
        else if (n == 5 && !strncmp(name, "start", 5))
            buf_puts(&b, e->start ? e->start : "");
        else if (n == 3 && !strncmp(name, "end", 3))
            buf_puts(&b, e->end ? e->end : "");
        s = close + 1;
    }
    return buf_cstr(&b);
}
