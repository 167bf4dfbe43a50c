/* accounts (domain): registration by mailed link, login, password reset, profile and
 * sessions - every rule of who may do what with an account. No HTTP here: callers pass the
 * plain inputs and an AccountContext and get a result code plus per-field messages.
 * SECURITY: no account enumeration (same result for known and unknown addresses), tokens
 * and session ids stored only as SHA-256, every attempt rate-limited in the database. */
#ifndef PFORTE_DOMAIN_ACCOUNTS_H
#define PFORTE_DOMAIN_ACCOUNTS_H
#include "core/arena.h"
#include "store/accounts.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define ACCOUNT_MAX_EMAIL 254
#define ACCOUNT_MAX_NAME 200      /* code points */
#define ACCOUNT_MAX_PASSWORD 256  /* code points */
#define ACCOUNT_TOKEN_LEN 43      /* URL-safe base64 of 32 bytes */
#define ACCOUNT_MAX_ERRORS 8

typedef enum {
    ACCOUNT_OK = 0,
    ACCOUNT_INVALID,      /* input errors: see FieldErrors */
    ACCOUNT_RATE_LIMITED, /* retry_after seconds in the result */
    ACCOUNT_BAD_TOKEN,    /* unknown, expired or used link */
    ACCOUNT_BAD_LOGIN,    /* wrong address or password (never says which) */
    ACCOUNT_UNAVAILABLE,  /* database busy or down: 503 */
    ACCOUNT_ERROR,        /* a bug: 500 */
} AccountResult;

typedef struct FieldError {
    const char *field;  /* form field name, "" for the whole form */
    const char *msgid;  /* English msgid, translated by the page */
} FieldError;

typedef struct FieldErrors {
    FieldError items[ACCOUNT_MAX_ERRORS];
    int count;
    const char *password_reasons[12]; /* msgids of a rejected password's weaknesses */
    int reason_count;
} FieldErrors;

typedef struct AccountContext {
    Db *db;
    Arena *arena;
    const char *ip;
    const char *user_agent;
    const char *lang;     /* language of the page, used for mails to new addresses */
    int64_t now;
    int64_t retry_after;  /* out: seconds, for ACCOUNT_RATE_LIMITED */
} AccountContext;

/* A new session: the raw cookie value (give it to the browser, then wipe) and its ids. */
typedef struct NewSession {
    char token[ACCOUNT_TOKEN_LEN + 1];
    int64_t session_id;
    int64_t user_id;
} NewSession;

/* Signed-in state found from a session cookie. */
typedef struct SignedIn {
    Session session;
    User user;
} SignedIn;

/* Adds a field error (ignored beyond ACCOUNT_MAX_ERRORS). */
void account_error(FieldErrors *e, const char *field, const char *msgid);
/* The local path to continue to after login, or "/" for anything unsafe (other hosts,
 * "//", backslashes, control characters). */
const char *account_safe_next(const char *next);
/* Normalises an address (trim, lowercase) into *out; false with a msgid when invalid. */
bool account_email_normalize(Arena *a, const char *input, const char **out, const char **msgid);

/* "Link senden": queues a registration mail (or, for an existing account, a mail that says
 * so with a reset link). next: a local path to continue to afterwards, may be NULL. */
AccountResult account_register_start(AccountContext *c, const char *email, const char *next,
                                     FieldErrors *errors);
/* Checks a registration link without using it; *email receives the address. */
AccountResult account_register_check(AccountContext *c, const char *token, const char **email);
/* "Registrierung abschließen": creates the account and signs in. *next receives where to go. */
AccountResult account_register_finish(AccountContext *c, const char *token, const char *name,
                                      const char *password, NewSession *out, const char **next,
                                      FieldErrors *errors);
/* Login step 2. */
AccountResult account_login(AccountContext *c, const char *email, const char *password,
                            NewSession *out, FieldErrors *errors);
/* "Passwort vergessen?": queues a reset mail when the address has an account. */
AccountResult account_reset_start(AccountContext *c, const char *email, FieldErrors *errors);
AccountResult account_reset_check(AccountContext *c, const char *token, const char **email);
/* Sets the new password, ends every session of the account and signs in. */
AccountResult account_reset_finish(AccountContext *c, const char *token, const char *password,
                                   NewSession *out, FieldErrors *errors);

/* Session cookie -> signed-in user (s->session.id == 0 when none); refreshes last use. */
AccountResult account_session_lookup(AccountContext *c, const char *token, SignedIn *s);
AccountResult account_logout(AccountContext *c, int64_t session_id);
AccountResult account_update_profile(AccountContext *c, const User *u, const char *name,
                                     const char *lang, bool notify, FieldErrors *errors);
/* Needs the current password; ends every other session. */
AccountResult account_change_password(AccountContext *c, const SignedIn *s,
                                      const char *current, const char *password,
                                      FieldErrors *errors);
AccountResult account_end_session(AccountContext *c, const SignedIn *s, int64_t session_id);

/* Admin and set-up. */
AccountResult account_create(AccountContext *c, const char *email, const char *name,
                             const char *role, const char *password, int64_t *user_id,
                             FieldErrors *errors);
/* Queues an invitation (a set-password link) for an existing account without password. */
AccountResult account_invite(AccountContext *c, int64_t user_id);
/* A one-time link that creates the first admin; only while no admin exists. *url receives
 * the full URL (print it, never log it). */
AccountResult account_setup_link(AccountContext *c, const char **url);
/* Checks a set-up link without using it: ACCOUNT_BAD_TOKEN when unknown, used, expired or an
 * admin exists already. */
AccountResult account_setup_check(AccountContext *c, const char *token);
AccountResult account_setup_finish(AccountContext *c, const char *token, const char *email,
                                   const char *name, const char *password, NewSession *out,
                                   FieldErrors *errors);
AccountResult account_set_disabled(AccountContext *c, const char *email, bool disabled);

#endif
