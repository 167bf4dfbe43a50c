/* clock: wall time with an optional offset for tests; the offset file is re-read at most
 * once a second so moving the clock needs no restart. */
#include "core/clock.h"
#include "core/mem.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char *offset_path;
static pthread_mutex_t offset_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t offset_seconds;
static int64_t offset_read_at;

void clock_enable_test_offset(const char *offset_file)
{
    offset_path = xstrdup(offset_file);
}

static int64_t clock_offset(int64_t real_now)
{
    if (!offset_path)
        return 0;
    pthread_mutex_lock(&offset_lock);
    if (real_now != offset_read_at) {
        offset_read_at = real_now;
        offset_seconds = 0;
        FILE *f = fopen(offset_path, "r");
        if (f) {
            long long v;
            if (fscanf(f, "%lld", &v) == 1)
                offset_seconds = v;
            fclose(f);
        }
    }
    int64_t off = offset_seconds;
    pthread_mutex_unlock(&offset_lock);
    return off;
}

int64_t clock_now(void)
{
    int64_t now = (int64_t)time(NULL);
    return now + clock_offset(now);
}

double clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void clock_civil(int64_t t, ClockCivil *out)
{
    /* days to civil date after Howard Hinnant's algorithm (proleptic Gregorian, UTC) */
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    out->year = (int)(yoe + era * 400 + (month <= 2));
    out->month = (int)month;
    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
}

/* Writes value as exactly width decimal digits (zero-padded); returns the end. */
static char *put_digits(char *p, int value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

void clock_format_iso(int64_t t, char out[32])
{
    ClockCivil c;
    clock_civil(t, &c);
    if (c.year < 0 || c.year > 9999) { /* outside what four digits hold: let libc say it */
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return;
    }
    char *p = put_digits(out, c.year, 4);
    *p++ = '-';
    p = put_digits(p, c.month, 2);
    *p++ = '-';
    p = put_digits(p, c.day, 2);
    *p++ = 'T';
    p = put_digits(p, c.hour, 2);
    *p++ = ':';
    p = put_digits(p, c.minute, 2);
    *p++ = ':';
    p = put_digits(p, c.second, 2);
    *p++ = 'Z';
    *p = '\0';
}

void clock_format_rfc5322(int64_t t, char out[40])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* locale-independent on purpose: strftime's %a/%b follow LC_TIME */
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
