/* users: the store functions for user accounts and organizations. */
#ifndef PFORTE_STORE_USERS_H
#define PFORTE_STORE_USERS_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct User {
    int64_t id;
    char *email;
    char *name;
    char *password_hash; /* NULL until the account has a password */
    char *role;          /* customer | agent | admin */
    char *lang;
    int64_t organization_id; /* 0 = none */
    bool notify;
    bool disabled;
    int64_t created_at;
} User;

/* Inserts u (email must be trimmed and lowercased); *id receives the new id.
 * DB_CONFLICT when the address exists. */
DbResult store_user_insert(Db *db, const User *u, int64_t now, int64_t *id);
DbResult store_organization_insert(Db *db, const char *name, const char *email_domain,
                                   int64_t now, int64_t *id);

/* The organization whose e-mail domain is domain (lowercase), 0 when none. */
DbResult store_organization_by_domain(Db *db, const char *domain, int64_t *id);

#endif
