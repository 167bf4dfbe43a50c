/* demo: fills an EMPTY database with a fictional software vendor's portal. */
#ifndef PFORTE_DOMAIN_DEMO_H
#define PFORTE_DOMAIN_DEMO_H
#include "store/db.h"

/* Inserts the demo portal when the database holds no users and no request types; leaves any
 * other database untouched. Returns DB_OK (also when nothing was done); *created says which. */
DbResult demo_fill_if_empty(Db *db, bool *created);

#endif
