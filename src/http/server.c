/* server: the libmicrohttpd glue - daemon options, accepting connections for its workers,
 * the access handler's call sequence, turning an Outgoing into an MHD response, the access
 * log and graceful shutdown. The only file that includes microhttpd.h; everything it can
 * leave to MHD-free code, it does.
 *
 * One request, as libmicrohttpd 0.9.75 drives it:
 *   on_uri          request line read: new Exchange in a worker arena, request id
 *   on_access #1    head complete: headers, limits (no response here - queueing now makes
 *                   MHD close the connection; done on purpose only to refuse a body)
 *   on_access #2..  body bytes, streamed into the form / multipart reader
 *   on_access last  no more bytes: dispatch and queue the response
 *   on_completed    response sent or connection gone: access log, arena back to the cache */
#include "http/server.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "http/exchange.h"
#include "http/offload.h"
#include "http/listen.h"
#include "http/worker.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 10000.0
/* MHD keeps the request head in a per-connection pool; the slack covers its bookkeeping and
 * the response head, so heads up to our own limits reach us and get our 431/414 page. */
#define POOL_SLACK_BYTES (16 * 1024)
/* Requests waiting for a pool thread beyond these many are answered 503 at once. */
#define HASHING_QUEUE_MAX 32
#define WRITING_QUEUE_MAX 256
#define LISTEN_BACKLOG 1024
#define ACCEPT_BATCH 64       /* connections accepted per wake-up before the signal is checked */
#define ACCEPT_PAUSE_MS 100   /* out of descriptors: wait this long before accepting again */
#define ACCEPT_FULL_WAIT_MS 5 /* max_client_connections open: look again after this long */

static const ServerApp *server_app;
static const ServerOptions *server_opt;
static Offload *hashing_pool, *writing_pool; /* NULL: those routes run on the HTTP workers */
static atomic_uint_fast64_t next_request_id;
static atomic_int in_flight;
static atomic_int connections_open;   /* started by libmicrohttpd and not yet closed */
static atomic_int connections_handed; /* given to libmicrohttpd, not yet started there */
static atomic_bool stopping;
static atomic_bool listening; /* MHD's own messages: warnings at start-up, debug after */
static int signal_pipe[2] = {-1, -1};

/* ---- libmicrohttpd callbacks ---- */

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    Buf msg;
    buf_init(&msg, NULL);
    buf_vprintf(&msg, fmt, ap);
    while (msg.len && (msg.data[msg.len - 1] == '\n' || msg.data[msg.len - 1] == ' '))
        msg.data[--msg.len] = '\0';
    for (size_t i = 0; i < msg.len; i++)
        if (msg.data[i] == '"' || msg.data[i] == '\n' || msg.data[i] == '\r')
            msg.data[i] = '\'';
    if (atomic_load(&listening))
        log_debug("event=mhd msg=\"%s\"", buf_cstr(&msg)); /* client gone, bad request */
    else
        log_warn("event=mhd msg=\"%s\"", buf_cstr(&msg));
    buf_free(&msg);
}

/* Leaves URL and arguments encoded: head.c decodes the raw target once, with our rules. */
static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    return strlen(s);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    uint64_t id = atomic_fetch_add(&next_request_id, 1) + 1;
    atomic_fetch_add(&in_flight, 1);
    return exchange_new(worker_arena_take(), id, uri);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *name,
                                      const char *value)
{
    exchange_add_header(cls, name, value);
    return MHD_YES;
}

static const char *client_ip(Arena *a, struct MHD_Connection *conn)
{
    char text[INET6_ADDRSTRLEN];
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    listen_address_text(info ? info->client_addr : NULL, text);
    return arena_strdup(a, text);
}

/* True when ip is one of the comma-separated addresses in list. */
static bool address_listed(const char *list, const char *ip, size_t n)
{
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ')
            end++;
        if ((size_t)(end - p) == n && n && strncmp(p, ip, n) == 0)
            return true;
        p = end;
    }
    return false;
}

/* Behind a trusted reverse proxy the client is the right-most X-Forwarded-For entry that is
 * not itself a trusted proxy (entries further left are whatever the client claimed).
 * SECURITY: only the direct peer's membership in trusted_proxies makes the header count, and
 * only a well-formed address is taken; anything else keeps the peer address. */
static const char *forwarded_client(Arena *a, Request *req, const char *peer, const char *trusted)
{
    if (str_empty(trusted) || !address_listed(trusted, peer, strlen(peer)))
        return peer;
    const char *xff = request_header(req, "X-Forwarded-For");
    if (!xff)
        return peer;
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *s = start, *e = end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        size_t n = (size_t)(e - s);
        if (n == 0 || n >= INET6_ADDRSTRLEN)
            return peer;
        char text[INET6_ADDRSTRLEN];
        memcpy(text, s, n);
        text[n] = '\0';
        unsigned char bin[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, text, bin) != 1 && inet_pton(AF_INET6, text, bin) != 1)
            return peer;
        if (!address_listed(trusted, text, n))
            return arena_strdup(a, text);
        end = start > xff ? start - 1 : xff;
    }
    return peer;
}

static enum MHD_Result send_response(Exchange *ex, struct MHD_Connection *conn)
{
    Outgoing out;
    exchange_prepare(ex, atomic_load(&stopping), &out);
    /* the body lives in the arena or is static; the arena outlives the response */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(out.len, (void *)out.body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    for (const Header *h = out.headers; h; h = h->next)
        if (MHD_add_response_header(r, h->name, h->value) != MHD_YES)
            log_error("event=bug reason=header_refused name=%s", h->name);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned int)out.status, r);
    MHD_destroy_response(r);
    ex->answered = true;
    ex->status_sent = out.status;
    ex->bytes_sent = str_eq(ex->req.method, "HEAD") ? 0 : out.len;
    return rc;
}

static enum MHD_Result on_first_call(Exchange *ex, struct MHD_Connection *conn, const char *method,
                                     const char *version)
{
    Request *req = &ex->req;
    req->method = arena_strdup(req->arena, method);
    req->conn = conn;
    req->client_ip = client_ip(req->arena, conn);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, ex);
    req->client_ip = forwarded_client(req->arena, req, req->client_ip, server_opt->trusted_proxies);
    ex->status = exchange_read_head(ex, server_opt, version);
    if (ex->status && ex->has_body) {
        /* answering on the first call makes MHD skip the body (no 100 Continue) and close */
        exchange_error(ex, server_app, ex->status);
        return send_response(ex, conn);
    }
    return MHD_YES;
}

/* The pool the request's route runs in; NULL for the HTTP worker itself. */
static Offload *route_pool(Exchange *ex)
{
    if (exchange_route(ex, server_app) != ROUTE_FOUND)
        return NULL;
    if (ex->route->run == RUN_HASHING)
        return hashing_pool;
    return ex->route->run == RUN_WRITING ? writing_pool : NULL;
}

/* On a pool thread: the whole dispatch, then the connection wakes up to send the answer. */
static void run_offloaded(void *job)
{
    Exchange *ex = job;
    log_set_request_id(ex->req.id);
    exchange_dispatch(ex, server_app);
    ex->dispatched = true;
    log_set_request_id(0);
    MHD_resume_connection(ex->req.conn);
}

static enum MHD_Result on_last_call(Exchange *ex, struct MHD_Connection *conn)
{
    Offload *pool;
    if (ex->answered)
        return MHD_YES;
    if (ex->dispatched)
        return send_response(ex, conn);
    if (!ex->status)
        exchange_body_end(ex);
    if (ex->status) {
        exchange_error(ex, server_app, ex->status);
    } else if ((pool = route_pool(ex)) != NULL) {
        if (offload_reserve(pool)) {
            MHD_suspend_connection(conn);
            offload_submit(pool, ex);
            return MHD_YES;
        }
        log_warn("event=offload_full path=%s", ex->log_path);
        exchange_error(ex, server_app, 503);
    } else {
        exchange_dispatch(ex, server_app);
    }
    return send_response(ex, conn);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_size, void **state)
{
    Exchange *ex = *state;
    if (!ex)
        return MHD_NO; /* on_uri always runs first; this would be an MHD change */
    log_set_request_id(ex->req.id);
    enum MHD_Result rc = MHD_YES;
    if (ex->calls++ == 0) {
        rc = on_first_call(ex, conn, method, version);
    } else if (*upload_size) {
        if (!ex->answered && !exchange_body_feed(ex, upload_data, *upload_size)) {
            log_info("event=body_dropped received=%llu", (unsigned long long)ex->body_received);
            rc = MHD_NO;
        }
        *upload_size = 0;
    } else {
        rc = on_last_call(ex, conn);
    }
    log_set_request_id(0);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode toe)
{
    Exchange *ex = *state;
    if (!ex)
        return;
    *state = NULL;
    log_set_request_id(ex->req.id);
    log_info("event=http method=%s path=%s status=%d bytes=%zu ms=%.2f ip=%s%s", ex->req.method,
             ex->log_path, ex->answered ? ex->status_sent : 0, ex->bytes_sent,
             clock_mono_ms() - ex->started_ms, ex->req.client_ip ? ex->req.client_ip : "-",
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    log_set_request_id(0);
    worker_arena_give(ex->arena);
    atomic_fetch_sub(&in_flight, 1);
}

/* Counts the connections the acceptor may still take (max_client_connections). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    static char started;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = &started;
        atomic_fetch_sub(&connections_handed, 1);
        atomic_fetch_add(&connections_open, 1);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context == &started) {
        *socket_context = NULL;
        atomic_fetch_sub(&connections_open, 1);
    }
}

/* ---- daemon ---- */

static int server_threads(const ServerOptions *opt)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return opt->threads >= 1 ? opt->threads : cores > 0 ? (int)cores : 1;
}

/* No listening socket of its own: the main thread accepts (accept_until_signal). */
static struct MHD_Daemon *daemon_start(const ServerOptions *opt, bool use_epoll)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                         MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
    flags |= use_epoll ? MHD_USE_EPOLL : MHD_USE_POLL;
    int threads = server_threads(opt);
    size_t pool = (size_t)(opt->max_header_bytes + opt->max_url_bytes) + POOL_SLACK_BYTES;
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL}, /* must come first */
        {MHD_OPTION_CONNECTION_TIMEOUT, opt->connection_timeout, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)pool, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)on_unescape, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, NULL},
        /* the acceptor keeps to max_client_connections; libmicrohttpd's own limit (split over its
         * workers) must never be what closes a connection the acceptor took */
        {MHD_OPTION_CONNECTION_LIMIT,
         (intptr_t)((unsigned)opt->max_client_connections * 2u + 2u * ACCEPT_BATCH), NULL},
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(flags, 0, NULL, NULL, on_access, NULL, MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/* epoll where the library has it, poll otherwise (or when epoll fails to start). */
static struct MHD_Daemon *daemon_start_any(const ServerOptions *opt)
{
    bool epoll = MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES;
    struct MHD_Daemon *d = daemon_start(opt, epoll);
    if (!d && epoll)
        d = daemon_start(opt, false);
    return d;
}

/* ---- signals: a handler writes to a pipe, so whichever thread gets the signal wakes us ---- */

static void on_stop_signal(int sig)
{
    int saved = errno;
    char c = (char)sig;
    ssize_t w = write(signal_pipe[1], &c, 1);
    (void)w;
    errno = saved;
}

static bool signals_install(struct sigaction old[2])
{
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, &old[0]);
    sigaction(SIGINT, &sa, &old[1]);
    return true;
}

static void signals_restore(struct sigaction old[2])
{
    sigaction(SIGTERM, &old[0], NULL);
    sigaction(SIGINT, &old[1], NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
}

/* Waits up to timeout_ms (-1 = forever) for a stop signal; returns it, or 0. */
static int signal_wait(int timeout_ms)
{
    struct pollfd p = {.fd = signal_pipe[0], .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        char c = 0;
        if (n > 0 && read(signal_pipe[0], &c, 1) == 1)
            return c;
        return 0;
    }
}

/* ---- accepting ----
 * The main thread accepts and hands each connection to libmicrohttpd, which gives it to the
 * worker thread numbered (socket mod threads): connections spread evenly over the HTTP
 * threads. When the workers raced for the listening socket themselves, whichever was idle
 * took a whole burst (wrk's 64 connections split 46:18 or 10:54; now 31:33), and the
 * requests of the crowded thread waited up to 1.5 times as long while the other thread had
 * less to do. */

/* Accepts what is waiting (at most ACCEPT_BATCH); false when the process or system is out of
 * descriptors or memory, so the caller pauses instead of spinning on the ready socket. */
static bool accept_ready(int listen_fd, struct MHD_Daemon *d, int room)
{
    for (int i = 0; i < ACCEPT_BATCH && i < room; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(listen_fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
                continue; /* that connection is gone; the next may be fine */
            log_warn("event=accept_failed errno=%d pause_ms=%d", errno, ACCEPT_PAUSE_MS);
            return false;
        }
        /* closes fd itself when it cannot take the connection (logged through on_mhd_log) */
        atomic_fetch_add(&connections_handed, 1);
        if (MHD_add_connection(d, fd, (const struct sockaddr *)&peer, len) != MHD_YES)
            atomic_fetch_sub(&connections_handed, 1);
    }
    return true;
}

/* Serves connections until a stop signal arrives; returns the signal. With
 * max_client_connections open, new ones wait in the listen backlog (as they would for a busy
 * server) instead of being accepted and closed. */
static int accept_until_signal(int listen_fd, struct MHD_Daemon *d)
{
    struct pollfd p[2] = {{.fd = signal_pipe[0], .events = POLLIN},
                          {.fd = listen_fd, .events = POLLIN}};
    int pause_ms = 0; /* 0: accepting; else the wait before the next try */
    bool full = false;
    for (;;) {
        nfds_t count = pause_ms ? 1 : 2;
        int n = poll(p, count, pause_ms ? pause_ms : -1);
        if (n < 0 && errno != EINTR) {
            log_error("event=poll_failed errno=%d", errno);
            return SIGTERM;
        }
        char c = 0;
        if (n > 0 && (p[0].revents & POLLIN) && read(signal_pipe[0], &c, 1) == 1 && c)
            return c;
        int room = server_opt->max_client_connections - atomic_load(&connections_open) -
                   atomic_load(&connections_handed);
        if (room <= 0) {
            if (!full)
                log_warn("event=connections_full max=%d", server_opt->max_client_connections);
            full = true;
            pause_ms = ACCEPT_FULL_WAIT_MS;
            continue;
        }
        full = false;
        pause_ms = 0;
        if (count == 2 && n > 0 && (p[1].revents & POLLIN) && !accept_ready(listen_fd, d, room))
            pause_ms = ACCEPT_PAUSE_MS;
    }
}

/* Lets the pools' queued jobs finish and stops them. */
static void pools_stop(void)
{
    offload_stop(hashing_pool);
    offload_stop(writing_pool);
    hashing_pool = writing_pool = NULL;
}

/* Stops accepting, lets requests in flight finish (a second signal cuts it short), stops. */
static void server_drain(struct MHD_Daemon *d, int listen_fd, int sig)
{
    atomic_store(&stopping, true);
    close(listen_fd); /* new connections are refused from now on */
    log_info("event=shutdown signal=%d in_flight=%d", sig, atomic_load(&in_flight));
    double deadline = clock_mono_ms() + SHUTDOWN_GRACE_MS;
    while (atomic_load(&in_flight) > 0) {
        if (clock_mono_ms() >= deadline) {
            log_warn("event=shutdown_timeout in_flight=%d", atomic_load(&in_flight));
            break;
        }
        if (signal_wait(20)) {
            log_warn("event=shutdown_forced in_flight=%d", atomic_load(&in_flight));
            break;
        }
    }
    pools_stop(); /* their connections are resumed and answered by the running daemon */
    MHD_stop_daemon(d);
    log_info("event=stopped");
}

/* The pools of the routes that do not run on the HTTP workers; a pool with no threads
 * configured leaves its routes on the HTTP workers. */
static bool pools_start(const ServerOptions *opt, const ServerApp *app)
{
    hashing_pool = writing_pool = NULL;
    if (opt->hash_workers > 0) {
        hashing_pool = offload_start("hashing", opt->hash_workers, HASHING_QUEUE_MAX,
                                     run_offloaded, app->thread_exit);
        if (!hashing_pool)
            return false;
    }
    if (opt->write_workers > 0) {
        writing_pool = offload_start("writing", opt->write_workers, WRITING_QUEUE_MAX,
                                     run_offloaded, app->thread_exit);
        if (!writing_pool) {
            pools_stop();
            return false;
        }
    }
    return true;
}

int server_run(const ServerOptions *opt, const ServerApp *app)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (!listen_parse(opt->listen, &addr, &addr_len)) {
        log_error("event=listen_failed addr=%s reason=bad_address", opt->listen);
        return 1;
    }
    struct sigaction old[2];
    if (!signals_install(old)) {
        log_error("event=listen_failed reason=pipe errno=%d", errno);
        return 1;
    }
    server_app = app;
    server_opt = opt;
    atomic_store(&stopping, false);
    worker_setup(app->thread_exit);
    /* worker threads start with the stop signals blocked, so the main thread gets them */
    sigset_t stop_set, old_mask;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old_mask);
    if (!pools_start(opt, app)) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        signals_restore(old);
        return 1;
    }
    int listen_fd = listen_open(&addr, addr_len, LISTEN_BACKLOG);
    if (listen_fd < 0) {
        int err = errno; /* stopping the pools may change it */
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        pools_stop();
        log_error("event=listen_failed addr=%s errno=%d reason=\"%s\"", opt->listen, err,
                  strerror(err));
        signals_restore(old);
        return 1;
    }
    struct MHD_Daemon *d = daemon_start_any(opt);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (!d) {
        close(listen_fd);
        pools_stop();
        log_error("event=listen_failed addr=%s reason=daemon", opt->listen);
        signals_restore(old);
        return 1;
    }
    atomic_store(&listening, true);
    log_info("event=listening addr=%s threads=%d", opt->listen, server_threads(opt));
    int sig = accept_until_signal(listen_fd, d);
    server_drain(d, listen_fd, sig);
    atomic_store(&listening, false);
    signals_restore(old);
    return 0;
}
