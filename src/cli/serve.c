/* serve: starts the portal - database, demo data, mail worker, HTTP server - and stops it
 * cleanly on SIGTERM/SIGINT. */
#include "cli.h"
#include <malloc.h>
#include "cli/setup.h"
#include "core/assets.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "auth/password.h"
#include "core/clock.h"
#include "domain/accounts.h"
#include "domain/demo.h"
#include "domain/search_index.h"
#include "domain/sla_worker.h"
#include "domain/workflow.h"
#include "domain/mail_poll.h"
#include "mail/outbox_worker.h"
#include "http/server.h"
#include "desk/desk.h"
#include "portal/portal.h"
#include "web/i18n.h"
#include "web/template.h"
#include <stdio.h>
#include <unistd.h>

static void serve_thread_exit(void)
{
    db_thread_close();
}

/* While no admin exists, a fresh one-time link to create the first one (printed, never
 * logged). */
static const char *serve_setup_link(Db *db)
{
    static Arena arena;
    arena_init(&arena, 4096);
    AccountContext c = {.db = db, .arena = &arena, .ip = "console", .user_agent = "",
                        .lang = "de", .now = clock_now()};
    const char *url = NULL;
    return account_setup_link(&c, &url) == ACCOUNT_OK ? url : NULL;
}

/* One route table from the tables each part of the portal owns. */
static const Route *serve_routes(void)
{
    const Route *tables[] = {PORTAL_ROUTES, REQUEST_ROUTES, ACTIVITY_ROUTES, QUEUE_ROUTES,
                             DESK_ROUTES,   ADMIN_ROUTES,   REPORT_ROUTES,   SLA_ROUTES};
    const size_t table_count = sizeof tables / sizeof tables[0];
    size_t n = 0;
    for (size_t t = 0; t < table_count; t++)
        for (const Route *r = tables[t]; r->method; r++)
            n++;
    Route *all = xcalloc(n + 1, sizeof *all);
    n = 0;
    for (size_t t = 0; t < table_count; t++)
        for (const Route *r = tables[t]; r->method; r++)
            all[n++] = *r;
    return all;
}

static int serve_core_count(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 2;
}

/* With SQLite a request never waits for the network (password hashes run on threads of their
 * own), so one HTTP thread per core: more threads than cores only take turns on them, and a
 * thread that loses its core holds up all its connections - with twice the cores the list
 * page's p99 was about 15 ms instead of about 11 ms (bench/requests.sh, 2 cores). Each
 * PostgreSQL query waits for a round trip, so there twice the cores keep the CPUs busy. */
static int serve_thread_count(bool postgres)
{
    int cores = serve_core_count();
    if (cfg.threads > 0)
        return (int)cfg.threads;
    return postgres ? 2 * cores : cores > 2 ? cores : 2;
}

int cli_serve(int nargs, char **args)
{
    if (nargs) {
        fprintf(stderr, "pforte serve: unexpected argument \"%s\"\n", args[0]);
        return 2;
    }
    assets_set_dev(cfg.dev, ".");
    Db *db = cli_open_database();
    if (!db)
        return 1;
    if (cfg.demo) {
        bool created;
        if (demo_fill_if_empty(db, &created) != DB_OK) {
            fprintf(stderr, "pforte: the demo data could not be created\n");
            db_close(db);
            return 1;
        }
    }
    const char *setup_url = serve_setup_link(db);
    bool postgres = db_kind(db) == DB_POSTGRES;
    db_close(db);
    Buf err;
    buf_init(&err, NULL);
    if (!i18n_init(&err) || !template_init(&err)) {
        fprintf(stderr, "pforte: %s\n", buf_cstr(&err));
        return 1;
    }
    buf_free(&err);
    ServerOptions opt = {
        .listen = cfg.listen,
        .threads = serve_thread_count(postgres),
        .max_header_bytes = cfg.max_header_bytes,
        .max_url_bytes = cfg.max_url_bytes,
        .max_form_bytes = cfg.max_form_bytes,
        .max_upload_bytes = cfg.max_upload_bytes,
        .connection_timeout = (int)cfg.connection_timeout,
        .max_client_connections = (int)cfg.max_client_connections,
        .trusted_proxies = cfg.trusted_proxies,
        .hash_workers = cfg.hash_concurrency ? (int)cfg.hash_concurrency
                                             : password_default_concurrency(serve_core_count()),
        .write_workers = (int)cfg.write_threads,
    };
    ServerApp app = {
        .routes = serve_routes(),
        .before = portal_before,
        .after = portal_after,
        .error_page = portal_error_page,
        .thread_exit = serve_thread_exit,
    };
    printf("Pforte is running: open %s/ in your browser (Ctrl+C stops it)\n",
           config_base_url(&cfg));
    if (setup_url)
        printf("Create the first administrator account (one-time link):\n  %s\n", setup_url);
    fflush(stdout);
    /* hashing uses half the cores, on threads of its own (the RUN_HASHING routes) */
    password_set_concurrency(cfg.hash_concurrency ? (int)cfg.hash_concurrency
                                                  : password_default_concurrency(serve_core_count()));
    password_init();
    /* migrations, the demo data and compiling templates and catalogs freed what they used;
     * give those pages back so the idle server keeps only what it uses */
    malloc_trim(0);
    db_background_start();
    outbox_worker_start();
    sla_worker_start();
    if (!postgres)
        search_index_worker_start(); /* PostgreSQL indexes in the creating transaction */
    workflow_worker_start(); /* closes resolved requests after cfg.auto_close_days */
    mail_poller_start();
    int rc = server_run(&opt, &app);
    mail_poller_stop();
    workflow_worker_stop();
    search_index_worker_stop();
    sla_worker_stop();
    outbox_worker_stop();
    db_background_stop();
    log_info("event=stopped");
    return rc;
}

