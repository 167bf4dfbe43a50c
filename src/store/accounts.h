/* accounts (store): SQL for users, sessions, e-mail tokens, rate-limit counters and the
 * audit log. Tokens and session ids arrive here only as SHA-256 hex hashes. */
#ifndef PFORTE_STORE_ACCOUNTS_H
#define PFORTE_STORE_ACCOUNTS_H
#include "core/arena.h"
#include "store/db.h"
#include "store/users.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct Session {
    int64_t id;
    int64_t user_id;
    char *csrf_secret;
    char *user_agent;
    char *ip;
    int64_t created_at;
    int64_t last_seen_at;
} Session;

typedef struct EmailToken {
    int64_t id;
    char *purpose;
    char *email;
    int64_t user_id; /* 0 = none */
    char *data;
    int64_t created_at;
    int64_t expires_at;
    bool used;
} EmailToken;

/* Users. Lookups fill *u in the arena; DB_OK when found, DB_ROW never, and DB_OK with
 * u->id == 0 when there is no such user. */
DbResult store_user_by_email(Db *db, Arena *a, const char *email, User *u);
DbResult store_user_by_id(Db *db, Arena *a, int64_t id, User *u);
DbResult store_user_set_password(Db *db, int64_t id, const char *hash, int64_t now);
DbResult store_user_update_profile(Db *db, int64_t id, const char *name, const char *lang,
                                   bool notify, int64_t now);
DbResult store_user_set_disabled(Db *db, int64_t id, bool disabled, int64_t now);
DbResult store_user_set_role(Db *db, int64_t id, const char *role, int64_t now);
/* All users ordered by e-mail (for `pforte admin user list`): calls fn for each. */
DbResult store_user_each(Db *db, Arena *a, void (*fn)(const User *u, void *ctx), void *ctx);
DbResult store_user_count_admins(Db *db, int64_t *count);

/* Sessions. */
DbResult store_session_insert(Db *db, const char *token_hash, int64_t user_id,
                              const char *csrf_secret, const char *user_agent, const char *ip,
                              int64_t now);
/* Finds a live session (created after min_created, seen after min_seen) of an enabled user;
 * s->id == 0 when none. */
DbResult store_session_find(Db *db, Arena *a, const char *token_hash, int64_t min_created,
                            int64_t min_seen, Session *s, User *u);
DbResult store_session_touch(Db *db, int64_t id, int64_t now);
DbResult store_session_delete(Db *db, int64_t id);
DbResult store_session_delete_for_user(Db *db, int64_t user_id, int64_t id, int64_t except_id);
DbResult store_session_delete_all_for_user(Db *db, int64_t user_id, int64_t except_id);
/* Sessions of a user, newest use first, into *out (arena array). */
DbResult store_session_list(Db *db, Arena *a, int64_t user_id, Session **out, int *count);

/* E-mail tokens. Inserting marks older unused tokens of the same purpose and address used. */
DbResult store_token_insert(Db *db, const char *token_hash, const char *purpose,
                            const char *email, int64_t user_id, const char *data, int64_t now,
                            int64_t expires_at);
/* t->id == 0 when the hash is unknown. */
DbResult store_token_find(Db *db, Arena *a, const char *token_hash, EmailToken *t);
/* Marks the token used; *claimed is false when it was already used (a race lost). */
DbResult store_token_use(Db *db, int64_t id, int64_t now, bool *claimed);

/* Rate limits: adds one hit to bucket in the window starting at window_start and returns
 * the window's count including this hit. */
DbResult store_rate_hit(Db *db, const char *bucket, int64_t window_start, int64_t *count);
DbResult store_rate_count(Db *db, const char *bucket, int64_t window_start, int64_t *count);
DbResult store_rate_clear(Db *db, const char *bucket, int64_t window_start);
DbResult store_rate_prune(Db *db, int64_t before);

DbResult store_audit(Db *db, int64_t actor_id, const char *action, const char *subject,
                     const char *detail, const char *ip, int64_t now);

#endif
