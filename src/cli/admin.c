/* admin: account administration from the shell - the first-admin set-up link, adding,
 * listing and disabling users - so scripts and tests need no browser.
 * SECURITY: passwords come from standard input only (never argv, which other users can
 * read), are wiped after use; the set-up link is printed, never logged. */
#include "cli.h"
#include "cli/setup.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/str.h"
#include "domain/accounts.h"
#include "mail/outbox_worker.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *cli_admin_flag_values[3];

static void admin_context(AccountContext *c, Db *db, Arena *a)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    c->arena = a;
    c->ip = "cli";
    c->user_agent = "pforte admin";
    c->lang = "de";
    c->now = clock_now();
}

static void print_errors(const FieldErrors *e)
{
    for (int i = 0; i < e->count; i++)
        fprintf(stderr, "pforte admin: %s%s%s\n", e->items[i].field, *e->items[i].field ? ": " : "",
                e->items[i].msgid);
    for (int i = 0; i < e->reason_count; i++)
        fprintf(stderr, "  - %s\n", e->password_reasons[i]);
}

/* Reads one line (the password) from standard input when it is not a terminal. */
static bool read_password(char *out, size_t n)
{
    if (isatty(STDIN_FILENO))
        return false;
    if (!fgets(out, (int)n, stdin))
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0';
}

static int admin_user_add(Db *db, Arena *a)
{
    const char *email = cli_admin_flag_values[0], *name = cli_admin_flag_values[1];
    const char *role = cli_admin_flag_values[2] ? cli_admin_flag_values[2] : "customer";
    if (!email || !name) {
        fprintf(stderr, "usage: pforte admin user add --email E --name N "
                        "[--role customer|agent|admin] < password-file\n"
                        "without a password on standard input an invitation mail is sent\n");
        return 2;
    }
    char password[1100];
    bool has_password = read_password(password, sizeof password);
    AccountContext c;
    admin_context(&c, db, a);
    FieldErrors errors = {0};
    int64_t id = 0;
    AccountResult r = account_create(&c, email, name, role, has_password ? password : NULL, &id,
                                     &errors);
    sodium_memzero(password, sizeof password);
    if (r == ACCOUNT_INVALID) {
        print_errors(&errors);
        return 1;
    }
    if (r != ACCOUNT_OK) {
        fprintf(stderr, "pforte admin: the database is not available\n");
        return 1;
    }
    printf("user %lld created (%s)%s\n", (long long)id, role,
           has_password ? "" : "; an invitation mail is queued");
    return 0;
}

static void print_user(const User *u, void *ctx)
{
    (void)ctx;
    printf("%-40s %-9s %-8s %s\n", u->email, u->role,
           u->disabled ? "disabled" : u->password_hash ? "active" : "invited", u->name);
}

static int admin_user(Db *db, Arena *a, int nargs, char **args)
{
    if (nargs >= 2 && str_eq(args[1], "add"))
        return admin_user_add(db, a);
    if (nargs >= 2 && str_eq(args[1], "list"))
        return store_user_each(db, a, print_user, NULL) == DB_OK ? 0 : 1;
    if (nargs == 3 && (str_eq(args[1], "disable") || str_eq(args[1], "enable"))) {
        AccountContext c;
        admin_context(&c, db, a);
        AccountResult r = account_set_disabled(&c, args[2], str_eq(args[1], "disable"));
        if (r == ACCOUNT_INVALID) {
            fprintf(stderr, "pforte admin: no user with the address %s\n", args[2]);
            return 1;
        }
        if (r != ACCOUNT_OK)
            return 1;
        printf("%s %sd\n", args[2], args[1]);
        return 0;
    }
    fprintf(stderr, "usage: pforte admin user add|list|disable E|enable E\n");
    return 2;
}

static int admin_setup_link(Db *db, Arena *a)
{
    AccountContext c;
    admin_context(&c, db, a);
    const char *url = NULL;
    AccountResult r = account_setup_link(&c, &url);
    if (r == ACCOUNT_INVALID) {
        fprintf(stderr, "pforte admin: an administrator exists already; use the portal\n");
        return 1;
    }
    if (r != ACCOUNT_OK)
        return 1;
    printf("%s\n", url);
    return 0;
}

int cli_admin(int nargs, char **args)
{
    if (nargs < 1) {
        fprintf(stderr, "usage: pforte admin setup-link | user add|list|disable|enable ...\n");
        return 2;
    }
    Db *db = cli_open_database();
    if (!db)
        return 1;
    Arena a;
    arena_init(&a, 16384);
    int rc;
    if (str_eq(args[0], "setup-link"))
        rc = admin_setup_link(db, &a);
    else if (str_eq(args[0], "user"))
        rc = admin_user(db, &a, nargs, args);
    else {
        fprintf(stderr, "pforte admin: unknown command \"%s\"\n", args[0]);
        rc = 2;
    }
    arena_free(&a);
    db_close(db);
    return rc;
}
