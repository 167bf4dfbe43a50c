/* log: key=value lines on stderr. The level is checked before any formatting. Never pass
 * passwords, tokens, cookies, mailed URLs or mail bodies to these functions. */
#ifndef PFORTE_CORE_LOG_H
#define PFORTE_CORE_LOG_H
#include <stdbool.h>
#include <stdint.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } LogLevel;

extern LogLevel log_min_level;

/* Accepts debug|info|warn|error; returns false for anything else. */
bool log_set_level(const char *name);
bool log_level_valid(const char *name);
/* The request id of the calling thread (0 = none); added as req=<id> to every line. */
void log_set_request_id(uint64_t id);
uint64_t log_request_id(void);
void log_write(LogLevel level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) do { if (log_min_level <= LOG_DEBUG) log_write(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) do { if (log_min_level <= LOG_INFO) log_write(LOG_INFO, __VA_ARGS__); } while (0)
#define log_warn(...) do { if (log_min_level <= LOG_WARN) log_write(LOG_WARN, __VA_ARGS__); } while (0)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
