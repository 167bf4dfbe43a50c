/* log: one key=value line per event, written with a single write(2) so lines from worker
 * threads never interleave. */
#include "core/log.h"
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

LogLevel log_min_level = LOG_INFO;
static _Thread_local uint64_t current_request_id;
static const char *const LEVEL_NAMES[] = {"debug", "info", "warn", "error"};

bool log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (name && strcmp(name, LEVEL_NAMES[i]) == 0) {
            log_min_level = (LogLevel)i;
            return true;
        }
    }
    return false;
}

bool log_level_valid(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, LEVEL_NAMES[i]) == 0)
            return true;
    return false;
}

void log_set_request_id(uint64_t id)
{
    current_request_id = id;
}

uint64_t log_request_id(void)
{
    return current_request_id;
}

void log_write(LogLevel level, const char *fmt, ...)
{
    /* one line, one write(2); overlong messages are cut and marked */
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* the date part changes once a second: format it then, not on every line */
    static _Thread_local time_t cached_second = -1;
    static _Thread_local char cached_date[32];
    static _Thread_local size_t cached_len;
    if (ts.tv_sec != cached_second) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        cached_len = strftime(cached_date, sizeof cached_date, "time=%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = ts.tv_sec;
    }
    memcpy(line, cached_date, cached_len);
    size_t n = cached_len;
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ level=%s", ts.tv_nsec / 1000000,
                          LEVEL_NAMES[level]);
    if (current_request_id)
        n += (size_t)snprintf(line + n, sizeof line - n, " req=%llu",
                              (unsigned long long)current_request_id);
    line[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    if ((size_t)m >= sizeof line - n - 1) {
        n = sizeof line - 16;
        memcpy(line + n, " truncated=1", 12);
        n += 12;
    } else {
        n += (size_t)m;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}
