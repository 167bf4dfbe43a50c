/* account_mail: the mails of the account flows (registration link, "you already have an
 * account", reset link, invitation) and the token each carries.
 * SECURITY: the raw token exists only in the queued mail; the database keeps its hash. */
#include "domain/admin.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "auth/token.h"
#include "domain/account_common.h"
#include "mail/compose.h"
#include "mail/mail.h"
#include "store/catalog.h"
#include <sodium.h>

typedef struct AccountMail {
    const char *kind;
    const char *path; /* link path the token is appended to */
    MailContent content;
} AccountMail;

static const AccountMail ACCOUNT_MAILS[] = {
    {"register", "/register/finish?token=",
     {N_("Confirm your e-mail address for %{portal_name}"),
      {N_("Hello,"), N_("please confirm your e-mail address to finish your registration at "
                 "%{portal_name}.")},
      N_("Confirm e-mail address"),
      NULL,
      {N_("The link is valid for %{hours} hours and works once."),
       N_("If you did not ask to register, you can ignore this mail.")}}},
    {"already", "/reset?token=",
     {N_("You already have an account at %{portal_name}"),
      {N_("Hello,"), N_("someone - probably you - asked to register this e-mail address at "
                 "%{portal_name}. There already is an account for it."),
       N_("If you have forgotten your password, you can choose a new one here:")},
      N_("Choose a new password"),
      NULL,
      {N_("The link is valid for %{minutes} minutes and works once."),
       N_("If you did not ask for this, you can ignore this mail; your account stays as it is.")}}},
    {"reset", "/reset?token=",
     {N_("Reset your password for %{portal_name}"),
      {N_("Hello %{name},"), N_("you asked to choose a new password for %{portal_name}.")},
      N_("Choose a new password"),
      NULL,
      {N_("The link is valid for %{minutes} minutes and works once. Afterwards every device "
       "that is signed in to your account is signed out."),
       N_("If you did not ask for this, you can ignore this mail; your password stays as it is.")}}},
    {"invite", "/register/finish?token=",
     {N_("Your account at %{portal_name}"),
      {N_("Hello %{name},"), N_("an account at %{portal_name} has been set up for you. Choose your "
                         "password to start:")},
      N_("Choose a password"),
      NULL,
      {N_("The link is valid for %{hours} hours and works once.")}}},
};

const char *account_portal_name(AccountContext *c)
{
    char *name = store_setting_get(c->db, c->arena, "portal_name");
    return str_empty(name) ? settings_now()->portal_name : name;
}

DbResult account_mail_token(AccountContext *c, const char *kind, const char *purpose,
                            const char *email, int64_t user_id, const char *name,
                            const char *lang, const char *data, int64_t lifetime)
{
    const AccountMail *m = NULL;
    for (size_t i = 0; i < sizeof ACCOUNT_MAILS / sizeof ACCOUNT_MAILS[0]; i++)
        if (str_eq(ACCOUNT_MAILS[i].kind, kind))
            m = &ACCOUNT_MAILS[i];
    if (!m)
        return DB_ERROR;
    char token[ACCOUNT_TOKEN_LEN + 1], hash[65];
    token_new(token);
    token_hash(token, hash);
    DbResult r = store_token_insert(c->db, hash, purpose, email, user_id, data, c->now,
                                    c->now + lifetime);
    if (r != DB_OK)
        goto done;
    MailContent content = m->content;
    content.button_url = arena_printf(c->arena, "%s%s%s", config_base_url(settings_now()), m->path, token);
    MailVar vars[] = {
        {"portal_name", account_portal_name(c)},
        {"name", str_empty(name) ? "" : name},
        {"hours", arena_printf(c->arena, "%lld", (long long)(lifetime / 3600))},
        {"minutes", arena_printf(c->arena, "%lld", (long long)(lifetime / 60))},
    };
    MailMessage msg = {0};
    if (!mail_compose(c->arena, &content, vars, 4, lang, &msg)) {
        r = DB_ERROR;
        goto done;
    }
    msg.to = email;
    msg.to_name = str_empty(name) ? NULL : name;
    if (!mail_queue(c->db, c->arena, &msg, c->now))
        r = DB_ERROR;
done:
    sodium_memzero(token, sizeof token);
    return r;
}
