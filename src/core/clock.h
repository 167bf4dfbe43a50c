/* clock: the time every module asks for. Tests move it: when enabled (setting test_clock),
 * the seconds written in <data>/clock-offset are added to the real time. */
#ifndef PFORTE_CORE_CLOCK_H
#define PFORTE_CORE_CLOCK_H
#include <stdbool.h>
#include <stdint.h>

/* Enables the movable test clock reading its offset from offset_file. */
void clock_enable_test_offset(const char *offset_file);
/* Unix seconds, including the test offset. */
int64_t clock_now(void);
/* Monotonic milliseconds with microsecond fraction, for latency measurements. */
double clock_mono_ms(void);
/* Formats t as RFC 3339 UTC ("2026-11-29T23:59:00Z") into out (>= 21 bytes). */
/* A UTC instant split into its calendar parts (month and day 1-based). */
typedef struct ClockCivil {
    int year, month, day, hour, minute, second;
} ClockCivil;
void clock_civil(int64_t t, ClockCivil *out);
void clock_format_iso(int64_t t, char out[32]);
/* Formats t as an RFC 5322/7231 date ("Sun, 29 Nov 2026 23:59:00 +0000"). */
void clock_format_rfc5322(int64_t t, char out[40]);

#endif
