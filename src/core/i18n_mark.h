/* i18n_mark: N_ around a string literal marks an English msgid that is translated later, where it is shown
 * (page_t, i18n_get). It expands to the text itself; scripts/check-translations.sh finds it. */
#ifndef PFORTE_CORE_I18N_MARK_H
#define PFORTE_CORE_I18N_MARK_H
#define N_(text) text
#endif
