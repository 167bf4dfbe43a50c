/* fuzz_tzif: libFuzzer target for the time-zone reader - TZif bytes (tz_parse) and POSIX TZ
 * rules (tz_from_rule) - and the calendar arithmetic on whatever zone comes out. Aborts when
 * an accepted zone gives an offset of 26 hours or more, or when local-to-UTC and back is off
 * by more than the largest offset change around that instant. */
#include "core/arena.h"
#include "core/tz.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void exercise(const TimeZone *tz)
{
    static const int64_t probes[] = {-4000000000LL, -1, 0, 1711846800, 1798761600, 4102444800LL,
                                     32503680000LL};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int32_t off = tz_offset_at(tz, probes[i]);
        if (off <= -26 * 3600 || off >= 26 * 3600)
            abort();
        int64_t local = probes[i] + off;
        int64_t back = tz_local_to_utc(tz, local);
        if (back - probes[i] > 2 * 26 * 3600 || probes[i] - back > 2 * 26 * 3600)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 16384);
    const TimeZone *tz = tz_parse(&a, "fuzz", data, size);
    if (tz)
        exercise(tz);
    char *rule = arena_alloc(&a, size + 1);
    memcpy(rule, data, size);
    rule[size] = '\0';
    tz = tz_from_rule(&a, rule);
    if (tz)
        exercise(tz);
    arena_free(&a);
    return 0;
}
