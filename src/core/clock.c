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

void clock_format_iso(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
