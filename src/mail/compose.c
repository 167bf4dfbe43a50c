/* compose: one look for every mail - a short text part and an HTML part with a prominent
 * blue button, built from the same translated paragraphs so both always say the same. */
#include "domain/admin.h"
#include "mail/compose.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "web/i18n.h"
#include "web/template.h"
#include <string.h>

/* Translates msgid and replaces each %{name} by its value (plain text, no escaping). */
static const char *compose_text(Arena *a, const char *msgid, const char *lang,
                                const MailVar *vars, int nvars)
{
    const char *s = i18n_get(lang, msgid);
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    while (*s) {
        const char *open = strstr(s, "%{");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(&b, s);
            break;
        }
        buf_append(&b, s, (size_t)(open - s));
        size_t n = (size_t)(close - open - 2);
        for (int i = 0; i < nvars; i++)
            if (strlen(vars[i].name) == n && strncmp(vars[i].name, open + 2, n) == 0)
                buf_puts(&b, vars[i].value);
        s = close + 1;
    }
    return b.data;
}

static void compose_paragraphs(Arena *a, Buf *text, View *v, const char *list,
                               const char *const *msgids, const char *lang, const MailVar *vars,
                               int nvars)
{
    for (int i = 0; i < MAIL_MAX_PARAGRAPHS && msgids[i]; i++) {
        const char *p = compose_text(a, msgids[i], lang, vars, nvars);
        buf_puts(text, p);
        buf_puts(text, "\n\n");
        view_list_add_text(v, list, p);
    }
}

static const char *compose_portal_name(const MailVar *vars, int nvars)
{
    for (int i = 0; i < nvars; i++)
        if (str_eq(vars[i].name, "portal_name") && !str_empty(vars[i].value))
            return vars[i].value;
    return settings_now()->portal_name;
}

const char *mail_compose_subject(Arena *a, const MailContent *content, const MailVar *vars,
                                 int nvars, const char *lang)
{
    return compose_text(a, content->subject, lang, vars, nvars);
}

bool mail_compose(Arena *a, const MailContent *content, const MailVar *vars, int nvars,
                  const char *lang, MailMessage *out)
{
    const char *portal = compose_portal_name(vars, nvars);
    Buf text;
    buf_init(&text, a);
    View *v = view_new(a);
    view_set(v, "lang", lang);
    view_set(v, "portal_name", portal);
    compose_paragraphs(a, &text, v, "before", content->before, lang, vars, nvars);
    if (content->button_label) {
        const char *label = compose_text(a, content->button_label, lang, vars, nvars);
        buf_printf(&text, "%s:\n%s\n\n", label, content->button_url);
        view_set(v, "button_label", label);
        view_set(v, "button_url", content->button_url);
    }
    compose_paragraphs(a, &text, v, "after", content->after, lang, vars, nvars);
    buf_printf(&text, "-- \n%s\n%s/\n", portal, config_base_url(settings_now()));
    view_set(v, "base_url", config_base_url(settings_now()));
    Buf html, err;
    buf_init(&html, a);
    buf_init(&err, a);
    if (!template_render("mail/layout", v, lang, &html, &err)) {
        log_error("event=mail_template_error error=\"%s\"", buf_cstr(&err));
        return false;
    }
    out->subject = compose_text(a, content->subject, lang, vars, nvars);
    out->text = text.data;
    out->html = html.data;
    /* the sender shows the portal's current name with the configured address */
    const char *sender_name = NULL, *sender_addr = NULL;
    if (mail_mailbox_parse(a, settings_now()->mail_from, &sender_name, &sender_addr))
        out->from = arena_printf(a, "%s <%s>", portal, sender_addr);
    else
        out->from = settings_now()->mail_from;
    out->lang = lang;
    return true;
}

const char *mail_reply_to_for(Arena *a, const char *portal_name, const char *reply_token)
{
    if (str_empty(reply_token))
        return NULL;
    const char *name = NULL, *addr = NULL;
    const Config *now_cfg = settings_now();
    const char *base = str_empty(now_cfg->mail_reply_address) ? now_cfg->mail_from
                                                              : now_cfg->mail_reply_address;
    if (!base || !mail_mailbox_parse(a, base, &name, &addr))
        return NULL;
    const char *at = strchr(addr, '@');
    if (!at)
        return NULL;
    const char *plus = memchr(addr, '+', (size_t)(at - addr));
    size_t local = plus ? (size_t)(plus - addr) : (size_t)(at - addr);
    const char *tagged = arena_printf(a, "%.*s+%s%s", (int)local, addr, reply_token, at);
    if (!mail_address_valid(tagged))
        return NULL;
    const char *display = str_empty(portal_name) ? cfg.portal_name : portal_name;
    /* the name is quoted by mail_build when needed; control characters make it unusable */
    for (const char *p = display; p && *p; p++)
        if ((unsigned char)*p < 0x20)
            return tagged;
    return arena_printf(a, "%s <%s>", display, tagged);
}
