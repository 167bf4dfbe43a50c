/* i18n: translation catalogs (gettext .po files locale/de.po and locale/en.po, embedded in the
 * binary) and the choice of a request's language. The source language is English: a msgid is
 * the English text, a missing or empty msgstr falls back to it. German is the default UI
 * language. */
#ifndef PFORTE_CORE_I18N_H
#define PFORTE_CORE_I18N_H
#include "core/buf.h"
#include <stdbool.h>
#include <stddef.h>

/* Loads the embedded catalogs. Call once at start-up (later calls do nothing and return the
 * first result); i18n_get also loads them lazily and thread-safely. Returns false and appends
 * one line per problem ("locale/de.po:12: ...") to err (may be NULL) when a catalog is missing
 * or malformed; the entries before the error stay usable. */
bool i18n_init(Buf *err);

/* Returns the translation of msgid for lang ("de" or "en"; anything else, NULL included,
 * means "de"). Returns msgid itself when there is no entry, the entry's msgstr is empty or it
 * is marked fuzzy. The result is never NULL (NULL msgid -> "") and stays valid for the life of
 * the process. In dev mode (assets_dev()) the catalog is re-read from disk when it changed;
 * superseded catalogs are kept so earlier results stay valid. Thread-safe. */
const char *i18n_get(const char *lang, const char *msgid);
/* Like i18n_get for an entry with msgctxt ctx (NULL ctx = i18n_get). */
const char *i18n_get_ctx(const char *lang, const char *ctx, const char *msgid);
/* The languages as slots 0..I18N_LANG_COUNT-1: the slot whose catalog i18n_get uses for lang
 * (anything but "en" is "de"), and the code of a slot. */
#define I18N_LANG_COUNT 2
int i18n_lang_slot(const char *lang);
const char *i18n_lang_code(int slot);

/* Chooses the UI language: returns the string literal "de" or "en". Order, first match wins:
 *   1. user_lang       the signed-in user's saved setting,
 *   2. query_lang      ?lang= of this request (the language switch),
 *   3. cookie_lang     the lang cookie the switch set for anonymous visitors,
 *   4. accept_language the browser's Accept-Language: the supported language with the highest
 *                      q-value (q=0 means "not acceptable"; ties go to the one listed first;
 *                      "en-US" counts as "en", "*" is ignored),
 *   5. "de".
 * A candidate counts only when it names a supported language ("de", "EN", "en-GB", ...);
 * NULL, empty or unsupported values fall through to the next step. */
const char *i18n_pick_lang(const char *query_lang, const char *cookie_lang, const char *user_lang,
                           const char *accept_language);
/* True when lang names a supported language (case-insensitive, region subtag ignored). */
bool i18n_lang_supported(const char *lang);

/* A parsed .po file. Exposed for tests and tools; pages use i18n_get. */
typedef struct Catalog Catalog;

/* Parses .po text src[0..n) (need not be NUL-terminated). Supports # comments, "#, fuzzy"
 * flags, msgctxt, msgid_plural/msgstr[N] (msgstr[0] is used), multi-line "..." continuation
 * and the escapes \n \t \r \" \\ \a \b \f \v. Returns a new catalog (free with
 * i18n_catalog_free) even on error: then the entries before the error are kept and a
 * message "name:LINE: ..." is appended to err (may be NULL) and *ok (may be NULL) is false. */
Catalog *i18n_catalog_parse(const char *name, const char *src, size_t n, Buf *err, bool *ok);
/* Returns the non-empty, non-fuzzy msgstr for (ctx, msgid), or NULL. ctx may be NULL. */
const char *i18n_catalog_lookup(const Catalog *c, const char *ctx, const char *msgid);
/* Number of entries with a usable translation (the header entry excluded). */
size_t i18n_catalog_count(const Catalog *c);
void i18n_catalog_free(Catalog *c);

#endif
