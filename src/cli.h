/* cli: the table of subcommands main dispatches to; each returns a process exit code. */
#ifndef PFORTE_CLI_H
#define PFORTE_CLI_H

typedef struct CliCommand {
    const char *name;
    int (*run)(int nargs, char **args); /* args: positional words after the command */
} CliCommand;

extern const CliCommand CLI_COMMANDS[];
/* Values of `admin` flags --email, --name, --role (filled by config_load). */
extern const char *cli_admin_flag_values[3];
/* Values of `copy-db` flags --from, --to (filled by config_load). */
extern const char *cli_copy_flag_values[2];

int cli_serve(int nargs, char **args);
int cli_migrate(int nargs, char **args);
int cli_admin(int nargs, char **args);
int cli_backup(int nargs, char **args);
int cli_options(int nargs, char **args);
int cli_mail_in(int nargs, char **args);   /* cli/mail_in.c */
int cli_mail_poll(int nargs, char **args); /* cli/mail_in.c */
/* Value of `mail-poll --interval` (filled by config_load). */
extern const char *cli_mail_poll_flag_values[1];
int cli_seed_bench(int nargs, char **args); /* cli/seed.c */
int cli_copy_db(int nargs, char **args);    /* cli/copydb.c */

#endif
