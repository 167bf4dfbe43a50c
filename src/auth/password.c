/* password: Argon2id hash, verify and rehash check (libsodium), the NFC subset applied to every
 * password first, the limit on concurrent hashes and the dummy verify. Must never log a
 * password or leave a copy of one in memory.
 * SECURITY: Argon2id only; unknown accounts cost as much time as known ones (dummy verify);
 * at most N hashes at once; every normalised copy is wiped with sodium_memzero. */
#include "auth/password.h"
#include "auth/wordlist.h"
#include "core/config.h"
#include "core/mem.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- NFC subset ------------------------------------------------------------------------ */

#define MAX_MARK_RUN 8 /* longer runs of combining marks are copied unchanged */

/* Every canonical composition of an ASCII letter and one of our marks that gives a letter of
 * U+00C0-U+017F (Unicode 14 data; sorted by mark, then letter). */
static const struct Composition {
    uint16_t mark;
    char base;
    uint16_t composed;
} COMPOSITIONS[] = {
    {0x300, 'A', 0x0C0}, {0x300, 'E', 0x0C8}, {0x300, 'I', 0x0CC}, {0x300, 'O', 0x0D2},
    {0x300, 'U', 0x0D9}, {0x300, 'a', 0x0E0}, {0x300, 'e', 0x0E8}, {0x300, 'i', 0x0EC},
    {0x300, 'o', 0x0F2}, {0x300, 'u', 0x0F9}, {0x301, 'A', 0x0C1}, {0x301, 'C', 0x106},
    {0x301, 'E', 0x0C9}, {0x301, 'I', 0x0CD}, {0x301, 'L', 0x139}, {0x301, 'N', 0x143},
    {0x301, 'O', 0x0D3}, {0x301, 'R', 0x154}, {0x301, 'S', 0x15A}, {0x301, 'U', 0x0DA},
    {0x301, 'Y', 0x0DD}, {0x301, 'Z', 0x179}, {0x301, 'a', 0x0E1}, {0x301, 'c', 0x107},
    {0x301, 'e', 0x0E9}, {0x301, 'i', 0x0ED}, {0x301, 'l', 0x13A}, {0x301, 'n', 0x144},
    {0x301, 'o', 0x0F3}, {0x301, 'r', 0x155}, {0x301, 's', 0x15B}, {0x301, 'u', 0x0FA},
    {0x301, 'y', 0x0FD}, {0x301, 'z', 0x17A}, {0x302, 'A', 0x0C2}, {0x302, 'C', 0x108},
    {0x302, 'E', 0x0CA}, {0x302, 'G', 0x11C}, {0x302, 'H', 0x124}, {0x302, 'I', 0x0CE},
    {0x302, 'J', 0x134}, {0x302, 'O', 0x0D4}, {0x302, 'S', 0x15C}, {0x302, 'U', 0x0DB},
    {0x302, 'W', 0x174}, {0x302, 'Y', 0x176}, {0x302, 'a', 0x0E2}, {0x302, 'c', 0x109},
    {0x302, 'e', 0x0EA}, {0x302, 'g', 0x11D}, {0x302, 'h', 0x125}, {0x302, 'i', 0x0EE},
    {0x302, 'j', 0x135}, {0x302, 'o', 0x0F4}, {0x302, 's', 0x15D}, {0x302, 'u', 0x0FB},
    {0x302, 'w', 0x175}, {0x302, 'y', 0x177}, {0x303, 'A', 0x0C3}, {0x303, 'I', 0x128},
    {0x303, 'N', 0x0D1}, {0x303, 'O', 0x0D5}, {0x303, 'U', 0x168}, {0x303, 'a', 0x0E3},
    {0x303, 'i', 0x129}, {0x303, 'n', 0x0F1}, {0x303, 'o', 0x0F5}, {0x303, 'u', 0x169},
    {0x304, 'A', 0x100}, {0x304, 'E', 0x112}, {0x304, 'I', 0x12A}, {0x304, 'O', 0x14C},
    {0x304, 'U', 0x16A}, {0x304, 'a', 0x101}, {0x304, 'e', 0x113}, {0x304, 'i', 0x12B},
    {0x304, 'o', 0x14D}, {0x304, 'u', 0x16B}, {0x306, 'A', 0x102}, {0x306, 'E', 0x114},
    {0x306, 'G', 0x11E}, {0x306, 'I', 0x12C}, {0x306, 'O', 0x14E}, {0x306, 'U', 0x16C},
    {0x306, 'a', 0x103}, {0x306, 'e', 0x115}, {0x306, 'g', 0x11F}, {0x306, 'i', 0x12D},
    {0x306, 'o', 0x14F}, {0x306, 'u', 0x16D}, {0x307, 'C', 0x10A}, {0x307, 'E', 0x116},
    {0x307, 'G', 0x120}, {0x307, 'I', 0x130}, {0x307, 'Z', 0x17B}, {0x307, 'c', 0x10B},
    {0x307, 'e', 0x117}, {0x307, 'g', 0x121}, {0x307, 'z', 0x17C}, {0x308, 'A', 0x0C4},
    {0x308, 'E', 0x0CB}, {0x308, 'I', 0x0CF}, {0x308, 'O', 0x0D6}, {0x308, 'U', 0x0DC},
    {0x308, 'Y', 0x178}, {0x308, 'a', 0x0E4}, {0x308, 'e', 0x0EB}, {0x308, 'i', 0x0EF},
    {0x308, 'o', 0x0F6}, {0x308, 'u', 0x0FC}, {0x308, 'y', 0x0FF}, {0x30A, 'A', 0x0C5},
    {0x30A, 'U', 0x16E}, {0x30A, 'a', 0x0E5}, {0x30A, 'u', 0x16F}, {0x30B, 'O', 0x150},
    {0x30B, 'U', 0x170}, {0x30B, 'o', 0x151}, {0x30B, 'u', 0x171}, {0x30C, 'C', 0x10C},
    {0x30C, 'D', 0x10E}, {0x30C, 'E', 0x11A}, {0x30C, 'L', 0x13D}, {0x30C, 'N', 0x147},
    {0x30C, 'R', 0x158}, {0x30C, 'S', 0x160}, {0x30C, 'T', 0x164}, {0x30C, 'Z', 0x17D},
    {0x30C, 'c', 0x10D}, {0x30C, 'd', 0x10F}, {0x30C, 'e', 0x11B}, {0x30C, 'l', 0x13E},
    {0x30C, 'n', 0x148}, {0x30C, 'r', 0x159}, {0x30C, 's', 0x161}, {0x30C, 't', 0x165},
    {0x30C, 'z', 0x17E}, {0x327, 'C', 0x0C7}, {0x327, 'G', 0x122}, {0x327, 'K', 0x136},
    {0x327, 'L', 0x13B}, {0x327, 'N', 0x145}, {0x327, 'R', 0x156}, {0x327, 'S', 0x15E},
    {0x327, 'T', 0x162}, {0x327, 'c', 0x0E7}, {0x327, 'g', 0x123}, {0x327, 'k', 0x137},
    {0x327, 'l', 0x13C}, {0x327, 'n', 0x146}, {0x327, 'r', 0x157}, {0x327, 's', 0x15F},
    {0x327, 't', 0x163}, {0x328, 'A', 0x104}, {0x328, 'E', 0x118}, {0x328, 'I', 0x12E},
    {0x328, 'U', 0x172}, {0x328, 'a', 0x105}, {0x328, 'e', 0x119}, {0x328, 'i', 0x12F},
    {0x328, 'u', 0x173},
};

/* Canonical combining class of the marks we compose; -1 for any other code point. */
static int mark_class(uint32_t cp)
{
    if ((cp >= 0x300 && cp <= 0x308) || (cp >= 0x30A && cp <= 0x30C))
        return 230;
    if (cp == 0x327 || cp == 0x328)
        return 202;
    return -1;
}

/* Combining marks of the common blocks; a run holding any we do not know is left alone. */
static bool is_combining(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

static uint32_t compose(uint32_t base, uint32_t mark)
{
    size_t n = sizeof COMPOSITIONS / sizeof COMPOSITIONS[0];
    if (base >= 0x80)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (COMPOSITIONS[i].mark == mark && (unsigned char)COMPOSITIONS[i].base == base)
            return COMPOSITIONS[i].composed;
    return 0;
}

/* The letter and mark a precomposed letter of the table stands for; false for others. */
static bool decompose(uint32_t cp, uint32_t *base, uint32_t *mark)
{
    for (size_t i = 0; i < sizeof COMPOSITIONS / sizeof COMPOSITIONS[0]; i++)
        if (COMPOSITIONS[i].composed == cp) {
            *base = (unsigned char)COMPOSITIONS[i].base;
            *mark = COMPOSITIONS[i].mark;
            return true;
        }
    return false;
}

/* Reads the run of combining marks at in[0..n) into marks[]; returns its length in bytes, and
 * in *count the number of marks, or MAX_MARK_RUN + 1 when the run is too long or holds a
 * mark we do not know (then it must be copied unchanged). */
static size_t read_mark_run(const char *in, size_t n, uint32_t marks[MAX_MARK_RUN], int *count)
{
    size_t i = 0;
    uint32_t cp;
    size_t len;
    *count = 0;
    while ((len = wordlist_utf8_next(in + i, n - i, &cp)) && is_combining(cp)) {
        if (*count < MAX_MARK_RUN && mark_class(cp) > 0)
            marks[(*count)++] = cp;
        else
            *count = MAX_MARK_RUN + 1;
        i += len;
    }
    return i;
}

/* Canonical ordering: a stable sort by combining class (cedilla and ogonek before the rest). */
static void order_marks(uint32_t *marks, int count)
{
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && mark_class(marks[j - 1]) > mark_class(marks[j]); j--) {
            uint32_t t = marks[j];
            marks[j] = marks[j - 1];
            marks[j - 1] = t;
        }
}

/* Canonical ordering, then composition of the starter with each mark not blocked by an
 * earlier uncomposed mark of the same class. A precomposed starter is taken apart first, so
 * "ä" + ogonek comes out as "ą" + diaeresis, as in NFC. */
static size_t compose_run(uint32_t starter, uint32_t *marks, int count, char *out)
{
    uint32_t base, own_mark;
    if (count < MAX_MARK_RUN && decompose(starter, &base, &own_mark)) {
        memmove(marks + 1, marks, (size_t)count * sizeof *marks);
        marks[0] = own_mark;
        starter = base;
        count++;
    }
    order_marks(marks, count);
    size_t o = 0;
    int kept = 0, last_kept_class = 0;
    uint32_t kept_marks[MAX_MARK_RUN];
    for (int i = 0; i < count; i++) {
        uint32_t c = last_kept_class < mark_class(marks[i]) ? compose(starter, marks[i]) : 0;
        if (c) {
            starter = c;
        } else {
            kept_marks[kept++] = marks[i];
            last_kept_class = mark_class(marks[i]);
        }
    }
    o += wordlist_utf8_put(starter, out);
    for (int i = 0; i < kept; i++)
        o += wordlist_utf8_put(kept_marks[i], out + o);
    return o;
}

size_t password_nfc(const char *in, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp, marks[MAX_MARK_RUN];
        int count;
        size_t len = wordlist_utf8_next(in + i, n - i, &cp);
        if (len == 0) {
            out[o++] = in[i++]; /* not UTF-8: copied as it is */
            continue;
        }
        size_t run = read_mark_run(in + i + len, n - i - len, marks, &count);
        if (run == 0 || count > MAX_MARK_RUN || is_combining(cp)) {
            memmove(out + o, in + i, len + run);
            o += len + run;
        } else {
            o += compose_run(cp, marks, count, out + o);
        }
        i += len + run;
    }
    out[o] = '\0';
    return o;
}

/* ---- concurrency limit ----------------------------------------------------------------- */

/* A ticket queue: callers get their turn in arrival order, at most `limit` at once. */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_changed = PTHREAD_COND_INITIALIZER;
static int slots_limit; /* 0 until set: then the default for the number of cores */
static unsigned long next_ticket, now_serving;
static PasswordStats stats;

int password_default_concurrency(int worker_threads)
{
    if (cfg.hash_concurrency > 0)
        return (int)cfg.hash_concurrency;
    return worker_threads / 2 > 1 ? worker_threads / 2 : 1;
}

void password_set_concurrency(int n)
{
    pthread_mutex_lock(&slots_lock);
    slots_limit = n < 1 ? 1 : n;
    pthread_cond_broadcast(&slots_changed);
    pthread_mutex_unlock(&slots_lock);
}

static void slot_acquire(void)
{
    pthread_mutex_lock(&slots_lock);
    if (!slots_limit) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        slots_limit = password_default_concurrency(cores > 0 ? (int)cores : 2);
    }
    unsigned long ticket = next_ticket++;
    stats.waiting++;
    while (ticket != now_serving || stats.running >= slots_limit)
        pthread_cond_wait(&slots_changed, &slots_lock);
    now_serving++;
    stats.waiting--;
    stats.running++;
    if (stats.running > stats.max_running)
        stats.max_running = stats.running;
    pthread_cond_broadcast(&slots_changed); /* the next ticket may fit as well */
    pthread_mutex_unlock(&slots_lock);
}

static void slot_release(void)
{
    pthread_mutex_lock(&slots_lock);
    stats.running--;
    stats.completed++;
    pthread_cond_broadcast(&slots_changed);
    pthread_mutex_unlock(&slots_lock);
}

PasswordStats password_stats(void)
{
    pthread_mutex_lock(&slots_lock);
    PasswordStats s = stats;
    s.limit = slots_limit;
    pthread_mutex_unlock(&slots_lock);
    return s;
}

void password_stats_reset(void)
{
    pthread_mutex_lock(&slots_lock);
    stats.max_running = stats.running;
    stats.completed = 0;
    pthread_mutex_unlock(&slots_lock);
}

/* ---- hashing ---------------------------------------------------------------------------- */

/* cfg is all zero when nothing loaded it (tools, tests): then libsodium's INTERACTIVE values,
 * which are also the configured defaults. */
static unsigned long long ops_limit(void)
{
    return cfg.argon2_ops > 0 ? (unsigned long long)cfg.argon2_ops
                              : crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
}

static size_t mem_limit(void)
{
    return cfg.argon2_mem_kib > 0 ? (size_t)cfg.argon2_mem_kib * 1024
                                  : crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
}

/* A heap copy of the NFC form; release with normalized_free. */
static char *normalized_new(const char *password, size_t *len)
{
    if (!password)
        password = "";
    size_t n = strlen(password);
    char *copy = xmalloc(n + 1);
    *len = password_nfc(password, n, copy);
    return copy;
}

static void normalized_free(char *copy, size_t len)
{
    sodium_memzero(copy, len);
    free(copy);
}

bool password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
    size_t len;
    if (sodium_init() < 0)
        return false;
    char *pw = normalized_new(password, &len);
    slot_acquire();
    int rc =
        crypto_pwhash_str_alg(out, pw, len, ops_limit(), mem_limit(), crypto_pwhash_ALG_ARGON2ID13);
    slot_release();
    normalized_free(pw, len);
    return rc == 0;
}

bool password_verify(const char *hash, const char *password)
{
    size_t len;
    if (!hash || sodium_init() < 0)
        return false;
    char *pw = normalized_new(password, &len);
    slot_acquire();
    int rc = crypto_pwhash_str_verify(hash, pw, len);
    slot_release();
    normalized_free(pw, len);
    return rc == 0;
}

bool password_needs_rehash(const char *hash)
{
    if (!hash || sodium_init() < 0)
        return true;
    return crypto_pwhash_argon2id_str_needs_rehash(hash, ops_limit(), mem_limit()) != 0;
}

/* ---- dummy verify ----------------------------------------------------------------------- */

static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[crypto_pwhash_STRBYTES];

/* Makes the dummy hash once, from a random password nobody knows. */
static bool dummy_ready(void)
{
    pthread_mutex_lock(&dummy_lock);
    if (!dummy_hash[0] && sodium_init() >= 0) {
        unsigned char secret[32];
        char text[sizeof secret * 2 + 1];
        randombytes_buf(secret, sizeof secret);
        sodium_bin2hex(text, sizeof text, secret, sizeof secret);
        if (!password_hash(text, dummy_hash))
            dummy_hash[0] = '\0';
        sodium_memzero(secret, sizeof secret);
        sodium_memzero(text, sizeof text);
    }
    bool ready = dummy_hash[0] != '\0';
    pthread_mutex_unlock(&dummy_lock);
    return ready;
}

void password_init(void)
{
    dummy_ready();
}

void password_dummy_verify(const char *password)
{
    char scratch[crypto_pwhash_STRBYTES];
    if (dummy_ready()) {
        (void)password_verify(dummy_hash, password);
        return;
    }
    /* No dummy (libsodium failed to hash once): a fresh hash costs about as much. */
    (void)password_hash(password, scratch);
    sodium_memzero(scratch, sizeof scratch);
}
