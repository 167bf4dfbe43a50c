/* password: Argon2id hashing and checking of account passwords (libsodium), NFC normalisation
 * of what the user typed, a limit on how many hashes run at once, and a dummy check for unknown
 * accounts. Never logs a password; every copy it makes is wiped.
 * SECURITY: passwords are stored only as Argon2id hashes; a login to an unknown account takes
 * as long as one to a known account (no enumeration by timing); at most N hashes run at once,
 * so a burst of logins cannot take every core and N x argon2_mem_kib of memory. */
#ifndef PFORTE_AUTH_PASSWORD_H
#define PFORTE_AUTH_PASSWORD_H
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

/* Hashes password (NFC-normalised first) with Argon2id and cfg.argon2_ops / argon2_mem_kib
 * into out as libsodium's "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string. Blocks while
 * the concurrency limit is reached. Returns false only when libsodium fails (out of memory). */
bool password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* True when password (NFC-normalised first) matches hash. False for a wrong password and for a
 * hash that is malformed or not Argon2. Blocks while the concurrency limit is reached. */
bool password_verify(const char *hash, const char *password);
/* True when hash was made with other parameters than the current cfg (or is not an Argon2id
 * hash): rehash the password after a successful login. */
bool password_needs_rehash(const char *hash);
/* Spends as long as password_verify of a real hash with the current parameters, against a
 * hash of a random password made once: call it when the account is unknown or has no password
 * so that the answer takes as long as for a known account. Returns nothing on purpose. */
void password_dummy_verify(const char *password);

/* Start-up: makes the dummy hash now instead of on the first password_dummy_verify (which
 * would otherwise take twice as long once). Reads cfg; safe to call more than once. */
void password_init(void);
/* Sets how many hashes and verifies may run at once (n < 1 means 1). Callers beyond the limit
 * wait their turn (they do keep their own thread). serve calls it once at start with
 * password_default_concurrency(its worker count); until then the limit is that for the number
 * of cores. */
void password_set_concurrency(int n);
/* The limit for a server with worker_threads HTTP workers: cfg.hash_concurrency when set,
 * else worker_threads / 2, at least 1. */
int password_default_concurrency(int worker_threads);

/* Canonical composition (NFC) for the cases users type: an ASCII letter followed by combining
 * marks among U+0300-U+0308, U+030A-U+030C, U+0327, U+0328 becomes the precomposed letter of
 * Latin-1 Supplement or Latin Extended-A ("Mu\u0308ller" -> "M\u00fcller"), with those marks
 * put into canonical order first. This is a SUBSET of Unicode NFC: other scripts, Hangul,
 * letters outside U+00C0-U+017F and runs holding other combining marks are left as they are.
 * Bytes that are not valid UTF-8 are copied unchanged. Writes at most n bytes plus a NUL to out
 * (the result is never longer than the input) and returns the length written. */
size_t password_nfc(const char *in, size_t n, char *out);

/* Counters for tests and the status page: how many hashes run now, how many wait, the most
 * that ever ran at once since the last reset, and the limit. */
typedef struct PasswordStats {
    int limit;
    int running;
    int waiting;
    int max_running;
    long completed;
} PasswordStats;
PasswordStats password_stats(void);
/* Sets max_running back to the current running count and completed to 0. */
void password_stats_reset(void);

#endif
