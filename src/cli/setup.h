/* setup: what every command does before its work - data directory, database, migrations. */
#ifndef PFORTE_CLI_SETUP_H
#define PFORTE_CLI_SETUP_H
#include "store/db.h"

/* Creates the data directory, enables the test clock when configured, opens the configured
 * database and applies pending migrations. NULL (with a message on stderr) on failure. */
Db *cli_open_database(void);

#endif
