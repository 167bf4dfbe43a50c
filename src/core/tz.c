/* tz: a TZif reader (RFC 8536) and POSIX TZ rule evaluator. Parsing is defensive - every
 * count is checked against the bytes present - because the zone name comes from an admin
 * form; nothing is read outside TZ_ZONEINFO_DIR (tz_name_is_valid refuses "..").
 * Never calls localtime/mktime/setenv("TZ"): those share process-wide state. */
#include "core/tz.h"
#include "core/str.h"
#include <stdio.h>
#include <string.h>

enum {
    TZ_MAX_TRANSITIONS = 4096, /* real files have < 400 */
    TZ_MAX_TYPES = 256,
    TZ_OFFSET_LIMIT = 26 * 3600, /* RFC 8536: |utoff| < 2^31; real ones are < 26 h */
    TZ_RULE_MAX = 128,
};

typedef struct TzRuleDate {
    char kind;    /* 'M' (Mm.w.d), 'J' (Jn, 1..365, Feb 29 never counted) or 'N' (n, 0..365) */
    int month, week, weekday, day;
    int32_t time; /* seconds after local midnight, may be negative or past 24 h */
} TzRuleDate;

typedef struct TzRule {
    int32_t std_offset; /* seconds east of UTC */
    int32_t dst_offset;
    bool has_dst;
    TzRuleDate start, end;
} TzRule;

struct TimeZone {
    const char *name;
    int count;               /* transitions */
    int64_t *transitions;    /* ascending Unix times */
    int32_t *offset_after;   /* offset in effect from transitions[i] on */
    int32_t initial_offset;  /* before the first transition (time type 0) */
    bool has_rule;
    TzRule rule;
};

/* ---- civil calendar (Howard Hinnant's algorithms) ---- */

int64_t tz_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t tz_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = tz_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    int64_t era = tz_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

int tz_iso_weekday(int64_t days)
{
    int64_t w = tz_floor_div(days + 3, 7); /* 1970-01-01 was a Thursday */
    return (int)(days + 3 - w * 7) + 1;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

bool tz_date_is_valid(int64_t year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= month_length(year, month);
}

/* ---- names and files ---- */

bool tz_name_is_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/')
        return false;
    size_t component = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        if (c == '/' || c == '\0') {
            if (component == 0)
                return false;
            const char *start = name + i - component;
            if (start[0] == '.')
                return false; /* ".", "..", hidden files */
            component = 0;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '.'))
            return false;
        component++;
    }
    return true;
}

TimeZone *tz_load(Arena *a, const char *name)
{
    if (!tz_name_is_valid(name))
        return NULL;
    char *path = arena_printf(a, "%s/%s", TZ_ZONEINFO_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) /* a system without zone files still knows UTC */
        return str_eq(name, "UTC") || str_eq(name, "Etc/UTC") ? tz_from_rule(a, "UTC0") : NULL;
    unsigned char *data = arena_alloc(a, TZ_FILE_MAX_BYTES + 1);
    size_t n = fread(data, 1, TZ_FILE_MAX_BYTES + 1, f);
    fclose(f);
    if (n > TZ_FILE_MAX_BYTES) /* also directories read as 0 bytes: refused by the parser */
        return NULL;
    return tz_parse(a, name, data, n);
}

const char *tz_name(const TimeZone *tz)
{
    return tz->name;
}

/* ---- POSIX TZ rules ---- */

/* [+-]hh[:mm[:ss]] with hh <= max_hours; advances *p. */
static bool rule_time(const char **p, int max_hours, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    int parts[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        if (*s < '0' || *s > '9')
            return false;
        int v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 3) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if ((i == 0 && v > max_hours) || (i > 0 && v > 59))
            return false;
        parts[i] = v;
    }
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    *p = s;
    return true;
}

/* A zone abbreviation: 3+ letters, or <...> with letters, digits, '+' and '-'. */
static bool rule_name(const char **p)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
               *s == '+' || *s == '-') {
            s++;
            n++;
        }
        if (*s != '>' || n < 3)
            return false;
        s++;
    } else {
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            s++;
            n++;
        }
        if (n < 3)
            return false;
    }
    *p = s;
    return true;
}

static bool rule_number(const char **p, int min, int max, int *out)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return false;
    int v = 0;
    while (*s >= '0' && *s <= '9' && v <= max)
        v = v * 10 + (*s++ - '0');
    if (v < min || v > max)
        return false;
    *out = v;
    *p = s;
    return true;
}

static bool rule_date(const char **p, TzRuleDate *d)
{
    const char *s = *p;
    memset(d, 0, sizeof *d);
    if (*s == 'M') {
        s++;
        d->kind = 'M';
        if (!rule_number(&s, 1, 12, &d->month) || *s++ != '.' ||
            !rule_number(&s, 1, 5, &d->week) || *s++ != '.' ||
            !rule_number(&s, 0, 6, &d->weekday))
            return false;
    } else if (*s == 'J') {
        s++;
        d->kind = 'J';
        if (!rule_number(&s, 1, 365, &d->day))
            return false;
    } else {
        d->kind = 'N';
        if (!rule_number(&s, 0, 365, &d->day))
            return false;
    }
    d->time = 2 * 3600;
    if (*s == '/') {
        s++;
        if (!rule_time(&s, 167, &d->time)) /* RFC 8536 allows -167..167 hours */
            return false;
    }
    *p = s;
    return true;
}

static bool rule_parse(const char *text, TzRule *r)
{
    const char *s = text;
    memset(r, 0, sizeof *r);
    int32_t west;
    if (!rule_name(&s) || !rule_time(&s, 24, &west))
        return false;
    r->std_offset = -west; /* POSIX counts west of Greenwich as positive */
    r->dst_offset = r->std_offset;
    if (*s == '\0')
        return true;
    if (!rule_name(&s))
        return false;
    r->has_dst = true;
    r->dst_offset = r->std_offset + 3600;
    if (*s != ',' && *s != '\0') {
        if (!rule_time(&s, 24, &west))
            return false;
        r->dst_offset = -west;
    }
    if (*s == '\0') { /* no rule given: POSIX leaves it to the implementation; US rules */
        r->start = (TzRuleDate){'M', 3, 2, 0, 0, 7200};
        r->end = (TzRuleDate){'M', 11, 1, 0, 0, 7200};
        return true;
    }
    if (*s++ != ',' || !rule_date(&s, &r->start) || *s++ != ',' || !rule_date(&s, &r->end))
        return false;
    return *s == '\0';
}

/* Days since the epoch of rule date d in year y. */
static int64_t rule_day(const TzRuleDate *d, int64_t y)
{
    int64_t jan1 = tz_days_from_civil(y, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->day - 1 + (is_leap(y) && d->day >= 60 ? 1 : 0);
    if (d->kind == 'N')
        return jan1 + d->day;
    int64_t first = tz_days_from_civil(y, d->month, 1);
    int first_weekday = tz_iso_weekday(first) % 7; /* 0 = Sunday, as in POSIX */
    int64_t day = first + (d->weekday - first_weekday + 7) % 7 + (int64_t)(d->week - 1) * 7;
    while (day >= first + month_length(y, d->month))
        day -= 7;
    return day;
}

static int32_t rule_offset_at(const TzRule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_offset;
    int64_t year;
    int month, day;
    tz_civil_from_days(tz_floor_div(t + r->std_offset, 86400), &year, &month, &day);
    int64_t start = rule_day(&r->start, year) * 86400 + r->start.time - r->std_offset;
    int64_t end = rule_day(&r->end, year) * 86400 + r->end.time - r->dst_offset;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_offset : r->std_offset;
}

TimeZone *tz_from_rule(Arena *a, const char *rule)
{
    TimeZone *tz = arena_alloc(a, sizeof *tz);
    if (!rule || strlen(rule) > TZ_RULE_MAX || !rule_parse(rule, &tz->rule))
        return NULL;
    tz->name = "";
    tz->has_rule = true;
    tz->initial_offset = tz->rule.std_offset;
    return tz;
}

/* ---- TZif ---- */

typedef struct Reader {
    const unsigned char *p;
    size_t left;
} Reader;

static bool take(Reader *r, size_t n, const unsigned char **out)
{
    if (n > r->left)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct TzifHeader {
    char version;
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} TzifHeader;

static bool header_read(Reader *r, TzifHeader *h)
{
    const unsigned char *p;
    if (!take(r, 44, &p) || memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    if (h->typecnt == 0 || h->typecnt > TZ_MAX_TYPES || h->timecnt > TZ_MAX_TRANSITIONS ||
        h->charcnt > 4096 || h->leapcnt > 1000 ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
        return false;
    return true;
}

static size_t data_block_size(const TzifHeader *h, size_t time_size)
{
    return h->timecnt * time_size + h->timecnt + h->typecnt * 6 + h->charcnt +
           h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

/* Reads one data block (time_size 4 for v1, 8 for v2+) into tz. */
static bool data_read(Reader *r, const TzifHeader *h, size_t time_size, Arena *a, TimeZone *tz)
{
    const unsigned char *times, *indexes, *types, *rest;
    if (!take(r, h->timecnt * time_size, &times) || !take(r, h->timecnt, &indexes) ||
        !take(r, h->typecnt * 6, &types) ||
        !take(r, data_block_size(h, time_size) - h->timecnt * (time_size + 1) - h->typecnt * 6,
              &rest))
        return false;
    int32_t offsets[TZ_MAX_TYPES];
    for (uint32_t i = 0; i < h->typecnt; i++) {
        int32_t off = (int32_t)be32(types + i * 6);
        if (off <= -TZ_OFFSET_LIMIT || off >= TZ_OFFSET_LIMIT || types[i * 6 + 4] > 1 ||
            types[i * 6 + 5] >= (h->charcnt ? h->charcnt : 1))
            return false;
        offsets[i] = off;
    }
    tz->count = (int)h->timecnt;
    tz->transitions = arena_alloc(a, sizeof(int64_t) * (h->timecnt ? h->timecnt : 1));
    tz->offset_after = arena_alloc(a, sizeof(int32_t) * (h->timecnt ? h->timecnt : 1));
    for (uint32_t i = 0; i < h->timecnt; i++) {
        int64_t t = time_size == 8 ? be64(times + i * 8) : (int64_t)(int32_t)be32(times + i * 4);
        if ((i > 0 && t <= tz->transitions[i - 1]) || indexes[i] >= h->typecnt)
            return false;
        tz->transitions[i] = t;
        tz->offset_after[i] = offsets[indexes[i]];
    }
    tz->initial_offset = offsets[0];
    return true;
}

TimeZone *tz_parse(Arena *a, const char *name, const unsigned char *data, size_t n)
{
    Reader r = {data, n};
    TzifHeader h;
    TimeZone *tz = arena_alloc(a, sizeof *tz);
    tz->name = name ? arena_strdup(a, name) : "";
    if (!header_read(&r, &h))
        return NULL;
    if (h.version == '\0') /* version 1: 32-bit data, no footer */
        return data_read(&r, &h, 4, a, tz) ? tz : NULL;
    if (h.version < '2' || h.version > '9')
        return NULL;
    const unsigned char *skip;
    if (!take(&r, data_block_size(&h, 4), &skip) || !header_read(&r, &h) ||
        !data_read(&r, &h, 8, a, tz))
        return NULL;
    /* footer: "\n" rule "\n"; an empty rule means none */
    const unsigned char *nl;
    if (!take(&r, 1, &nl) || *nl != '\n')
        return NULL;
    const unsigned char *end = memchr(r.p, '\n', r.left);
    if (!end)
        return NULL;
    size_t len = (size_t)(end - r.p);
    if (len > 0) {
        char rule[TZ_RULE_MAX + 1];
        if (len > TZ_RULE_MAX)
            return NULL;
        memcpy(rule, r.p, len);
        rule[len] = '\0';
        if (!rule_parse(rule, &tz->rule))
            return NULL;
        tz->has_rule = true;
        if (tz->count == 0)
            tz->initial_offset = tz->rule.std_offset;
    }
    return tz;
}

int32_t tz_offset_at(const TimeZone *tz, int64_t t)
{
    if (tz->count == 0)
        return tz->has_rule ? rule_offset_at(&tz->rule, t) : tz->initial_offset;
    if (t < tz->transitions[0])
        return tz->initial_offset;
    if (t >= tz->transitions[tz->count - 1] && tz->has_rule)
        return rule_offset_at(&tz->rule, t);
    int lo = 0, hi = tz->count - 1; /* the last transition <= t */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (tz->transitions[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->offset_after[lo];
}

int64_t tz_local_to_utc(const TimeZone *tz, int64_t local)
{
    /* the offsets in effect a day before and a day after bracket every real transition */
    int32_t before = tz_offset_at(tz, local - 86400);
    int32_t after = tz_offset_at(tz, local + 86400);
    int64_t with_after = local - after, with_before = local - before;
    if (tz_offset_at(tz, with_after) == after)
        return with_after; /* the later reading wins in an overlap */
    if (tz_offset_at(tz, with_before) == before)
        return with_before;
    return with_before; /* a gap: read with the offset before it */
}
