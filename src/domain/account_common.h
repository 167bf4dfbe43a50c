/* account_common: helpers shared by the account modules (not for pages). */
#ifndef PFORTE_DOMAIN_ACCOUNT_COMMON_H
#define PFORTE_DOMAIN_ACCOUNT_COMMON_H
#include "domain/accounts.h"

/* Maps a store result to an account result (DB_BUSY -> UNAVAILABLE, others -> ERROR). */
AccountResult account_db_failure(DbResult r);
/* Ends the caller's transaction (r is how it went so far): commits, or rolls back and maps
 * the failure. The change and the mail it causes commit together. */
AccountResult account_commit(AccountContext *c, DbResult r);
/* Creates a session for user_id inside the caller's transaction. */
DbResult account_session_create(AccountContext *c, int64_t user_id, NewSession *out);
/* Validates a new password for the account (strength rules) into errors. */
bool account_password_acceptable(AccountContext *c, const char *password, const char *email,
                                 const char *name, FieldErrors *errors);
/* Trims and validates a display name; *out receives it. */
bool account_name_valid(Arena *a, const char *input, const char **out, FieldErrors *errors);
/* Issues a mailed token (purpose, lifetime) and queues its mail, in the caller's
 * transaction. kind picks the mail's wording. */
DbResult account_mail_token(AccountContext *c, const char *kind, const char *purpose,
                            const char *email, int64_t user_id, const char *name,
                            const char *lang, const char *data, int64_t lifetime);
/* The portal's name as customers see it. */
const char *account_portal_name(AccountContext *c);

#endif
