/* tz: IANA time zones read straight from the system's TZif files (RFC 8536, versions 1-4,
 * with the POSIX TZ rule of the footer for times after the last listed transition), and the
 * civil-calendar arithmetic around them. Thread-safe by construction: a TimeZone is immutable
 * after loading, nothing here touches the process's TZ or calls localtime (which are not
 * thread-safe). Leap-second records are skipped: Unix time has no leap seconds. */
#ifndef PFORTE_CORE_TZ_H
#define PFORTE_CORE_TZ_H
#include "core/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TimeZone TimeZone;

/* Where tz_load looks for zone files. */
#define TZ_ZONEINFO_DIR "/usr/share/zoneinfo"
/* Longest zone name accepted ("America/Argentina/ComodRivadavia" is 32). */
#define TZ_NAME_MAX 64
/* Largest zone file read (the biggest real ones are under 4 KiB). */
#define TZ_FILE_MAX_BYTES 65536

/* True when name has the shape of an IANA zone name: 1..TZ_NAME_MAX bytes of letters, digits,
 * '_', '-', '+' and '/', no empty, "." or ".." component, not starting with '/'. Says nothing
 * about whether the zone exists (tz_load does). */
bool tz_name_is_valid(const char *name);

/* Loads TZ_ZONEINFO_DIR/name into a. NULL when the name is invalid, the file is missing or
 * is not a well-formed TZif file ("UTC" and "Etc/UTC" work without zone files too). */
TimeZone *tz_load(Arena *a, const char *name);
/* Parses TZif bytes (the contents of a zone file) into a; NULL when malformed. name is kept
 * for tz_name (may be NULL). */
TimeZone *tz_parse(Arena *a, const char *name, const unsigned char *data, size_t n);
/* A zone made of a POSIX TZ rule alone ("UTC0", "CET-1CEST,M3.5.0,M10.5.0/3",
 * "<+0545>-5:45"); NULL when the rule is malformed. */
TimeZone *tz_from_rule(Arena *a, const char *rule);
/* The name given when loading ("" for tz_from_rule zones). */
const char *tz_name(const TimeZone *tz);

/* Seconds east of UTC in effect at Unix time t (3600 for Berlin in winter, 7200 in summer). */
int32_t tz_offset_at(const TimeZone *tz, int64_t t);
/* The Unix time of the local wall-clock time `local` (seconds since 1970-01-01 00:00 local).
 * A time that occurs twice (autumn) gives the later instant (after the clocks went back); a
 * time skipped by a spring-forward gap is read with the offset before the gap (02:30 in
 * Berlin on the last Sunday of March gives 03:30 summer time). */
int64_t tz_local_to_utc(const TimeZone *tz, int64_t local);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31). */
int64_t tz_days_from_civil(int64_t year, int month, int day);
/* The date of days since 1970-01-01. */
void tz_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* ISO weekday of days since 1970-01-01: 1 = Monday ... 7 = Sunday. */
int tz_iso_weekday(int64_t days);
/* Floor division, for turning (possibly negative) seconds into days. */
int64_t tz_floor_div(int64_t a, int64_t b);
/* Whether year/month/day is a real date (year 1..9999). */
bool tz_date_is_valid(int64_t year, int month, int day);

#endif
