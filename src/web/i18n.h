/* i18n (web view): translation catalogs live in core so that mails written by the domain
 * layer are translated the same way; web code may include either header. */
#ifndef PFORTE_WEB_I18N_H
#define PFORTE_WEB_I18N_H
#include "core/i18n.h"
#endif
