/* transport: delivers one message by Maildir (tmp/ + fsync + rename into new/) or SMTP
 * (libcurl; STARTTLS when offered, certificates verified). Classifies the outcome as
 * delivered, temporary or permanent failure.
 * SECURITY: error texts name the step and the server's reply code only - never the message,
 * never the user:password of the transport URL (stripped if libcurl should echo it). */
#include "mail/transport.h"
#include "core/clock.h"
#include "core/str.h"
#include "mail/curl_lib.h"
#include "mail/message.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    SMTP_CONNECT_TIMEOUT_S = 30,
    SMTP_STALL_TIMEOUT_S = 30,  /* below 1 byte/s for this long ends the transfer */
    SMTP_TOTAL_TIMEOUT_S = 120, /* stays well inside the worker's claim lease */
};

static const char *errno_text(int err)
{
    const char *s = strerrordesc_np(err);
    return s ? s : "unknown error";
}

/* ---- Maildir ---- */

static bool dir_ensure(const char *path, Buf *error)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return true;
    buf_printf(error, "maildir: cannot create %s: %s", path, errno_text(errno));
    return false;
}

/* "time.pid_random.host" as the Maildir convention asks; host reduced to [A-Za-z0-9.-]. */
static const char *maildir_unique_name(Arena *a)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0)
        memcpy(host, "localhost", sizeof "localhost");
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.'))
            *p = '_';
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    return arena_printf(a, "%lld.%ld_%s.%s", (long long)clock_now(), (long)getpid(),
                        str_hex(a, random, sizeof random), host);
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Writes path (created exclusively) and fsyncs it; false with errno set on failure. */
static bool file_write_synced(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = write_all(fd, data, len) && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0)
        ok = false;
    else
        errno = saved;
    return ok;
}

static void dir_sync(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

MailDeliveryResult mail_maildir_deliver(const char *maildir, const char *message, size_t len,
                                        Buf *name_out, Buf *error)
{
    Arena a;
    arena_init(&a, 2048);
    MailDeliveryResult result = MAIL_TEMPORARY_FAILURE;
    const char *tmp_dir = arena_printf(&a, "%s/tmp", maildir);
    const char *new_dir = arena_printf(&a, "%s/new", maildir);
    const char *cur_dir = arena_printf(&a, "%s/cur", maildir);
    if (!dir_ensure(maildir, error) || !dir_ensure(tmp_dir, error) || !dir_ensure(new_dir, error) ||
        !dir_ensure(cur_dir, error))
        goto done;
    const char *name = maildir_unique_name(&a);
    const char *tmp_path = arena_printf(&a, "%s/%s", tmp_dir, name);
    const char *new_path = arena_printf(&a, "%s/%s", new_dir, name);
    if (!file_write_synced(tmp_path, message, len)) {
        buf_printf(error, "maildir: cannot write %s: %s", tmp_path, errno_text(errno));
        unlink(tmp_path);
        goto done;
    }
    if (rename(tmp_path, new_path) != 0) {
        buf_printf(error, "maildir: cannot move into %s: %s", new_dir, errno_text(errno));
        unlink(tmp_path);
        goto done;
    }
    dir_sync(new_dir);
    if (name_out)
        buf_puts(name_out, name);
    result = MAIL_DELIVERED;
done:
    arena_free(&a);
    return result;
}

/* Writes path (created exclusively) without syncing it; false with errno set on failure. */
static bool file_write(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = write_all(fd, data, len);
    int saved = errno;
    if (close(fd) != 0)
        ok = false;
    else
        errno = saved;
    return ok;
}

void mail_maildir_deliver_batch(const char *maildir, const MailBatchItem *items, int n,
                                MailDeliveryResult *results, Buf *errors)
{
    Arena a;
    arena_init(&a, 4096);
    const char *tmp_dir = arena_printf(&a, "%s/tmp", maildir);
    const char *new_dir = arena_printf(&a, "%s/new", maildir);
    const char *cur_dir = arena_printf(&a, "%s/cur", maildir);
    for (int i = 0; i < n; i++)
        results[i] = MAIL_TEMPORARY_FAILURE;
    if (!dir_ensure(maildir, &errors[0]) || !dir_ensure(tmp_dir, &errors[0]) ||
        !dir_ensure(new_dir, &errors[0]) || !dir_ensure(cur_dir, &errors[0])) {
        for (int i = 1; i < n; i++)
            buf_puts(&errors[i], buf_cstr(&errors[0]));
        arena_free(&a);
        return;
    }
    const char **names = arena_alloc(&a, sizeof *names * (size_t)n);
    int written = 0;
    for (int i = 0; i < n; i++) {
        names[i] = maildir_unique_name(&a);
        const char *tmp_path = arena_printf(&a, "%s/%s", tmp_dir, names[i]);
        if (!file_write(tmp_path, items[i].message, items[i].len)) {
            buf_printf(&errors[i], "maildir: cannot write %s: %s", tmp_path, errno_text(errno));
            unlink(tmp_path);
            names[i] = NULL;
            continue;
        }
        written++;
    }
    /* one flush for every file of the batch instead of an fsync each: the files are on disk
     * before any of them appears in new/ */
    int fd = written ? open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    bool synced = fd >= 0 && syncfs(fd) == 0;
    int sync_errno = errno;
    if (fd >= 0)
        close(fd);
    for (int i = 0; i < n; i++) {
        if (!names[i])
            continue;
        const char *tmp_path = arena_printf(&a, "%s/%s", tmp_dir, names[i]);
        const char *new_path = arena_printf(&a, "%s/%s", new_dir, names[i]);
        if (!synced) {
            buf_printf(&errors[i], "maildir: cannot sync %s: %s", tmp_dir, errno_text(sync_errno));
            unlink(tmp_path);
        } else if (rename(tmp_path, new_path) != 0) {
            buf_printf(&errors[i], "maildir: cannot move into %s: %s", new_dir, errno_text(errno));
            unlink(tmp_path);
        } else {
            results[i] = MAIL_DELIVERED;
        }
    }
    if (synced)
        dir_sync(new_dir);
    arena_free(&a);
}

/* ---- SMTP ---- */

typedef struct Upload {
    const char *data;
    size_t len, pos;
} Upload;

static size_t upload_read(char *dest, size_t size, size_t nmemb, void *userp)
{
    Upload *u = userp;
    size_t n = size * nmemb, left = u->len - u->pos;
    if (n > left)
        n = left;
    memcpy(dest, u->data + u->pos, n);
    u->pos += n;
    return n;
}

/* True when text contains the URL's password (raw or decoded): then it must not be kept. */
static bool mentions_password(const char *url, const char *text)
{
    bool found = false;
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return true; /* cannot tell: assume the worst */
    }
    unsigned flags[2] = {0, CURLU_URLDECODE};
    for (int i = 0; i < 2 && !found; i++) {
        char *password = NULL;
        if (curl_url_get(u, CURLUPART_PASSWORD, &password, flags[i]) == CURLUE_OK && password &&
            *password && strstr(text, password))
            found = true;
        curl_free(password);
    }
    curl_url_cleanup(u);
    return found;
}

/* 5xx means "never", except the authentication replies: fixing the credentials should let
 * the queued mail go out. Everything without a 5xx reply (no connection, timeout, TLS, 4xx)
 * is temporary. */
static MailDeliveryResult smtp_classify(CURLcode rc, long reply)
{
    if (rc == CURLE_OK)
        return MAIL_DELIVERED;
    bool auth =
        rc == CURLE_LOGIN_DENIED || reply == 530 || reply == 534 || reply == 535 || reply == 538;
    if (reply >= 500 && reply <= 599 && !auth)
        return MAIL_PERMANENT_FAILURE;
    return MAIL_TEMPORARY_FAILURE;
}

/* SECURITY: credentials never travel in clear to another machine: with a password and a
 * host other than loopback, STARTTLS is required, not just tried. */
static long smtp_tls_level(const char *url)
{
    CURLU *u = curl_url();
    long level = CURLUSESSL_TRY;
    char *password = NULL, *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK && password &&
        *password && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host &&
        strcmp(host, "localhost") != 0 && strncmp(host, "127.", 4) != 0 &&
        strcmp(host, "[::1]") != 0)
        level = CURLUSESSL_ALL;
    curl_free(password);
    curl_free(host);
    curl_url_cleanup(u);
    return level;
}

static void smtp_set_options(CURL *c, const char *url, const char *from, struct curl_slist *rcpt,
                             Upload *upload, char *errbuf)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, smtp_tls_level(url));
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(c, CURLOPT_READDATA, upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload->len);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)SMTP_STALL_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SMTP_TOTAL_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

static MailDeliveryResult smtp_deliver(const char *url, const char *envelope_from,
                                       const char *recipient, const char *message, size_t len,
                                       Buf *error)
{
    if (!curl_lib_load()) {
        buf_puts(error, "smtp: libcurl cannot be loaded");
        return MAIL_TEMPORARY_FAILURE;
    }
    Arena a;
    arena_init(&a, 1024);
    char errbuf[CURL_ERROR_SIZE] = "";
    Upload upload = {message, len, 0};
    struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(&a, "<%s>", recipient));
    CURL *c = curl_easy_init();
    MailDeliveryResult result = MAIL_TEMPORARY_FAILURE;
    if (!c || !rcpt) {
        buf_puts(error, "smtp: cannot initialise libcurl");
        goto done;
    }
    smtp_set_options(c, url, arena_printf(&a, "<%s>", envelope_from), rcpt, &upload, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    result = smtp_classify(rc, reply);
    if (result != MAIL_DELIVERED) {
        buf_printf(error, "smtp: %s", curl_easy_strerror(rc));
        if (*errbuf && !mentions_password(url, errbuf))
            buf_printf(error, ": %s", errbuf);
        if (reply)
            buf_printf(error, " (reply %ld)", reply);
    }
done:
    curl_easy_cleanup(c);
    curl_slist_free_all(rcpt);
    arena_free(&a);
    return result;
}

void mail_transport_deliver_batch(const char *transport, const char *data_dir,
                                  const char *envelope_from, const MailBatchItem *items, int n,
                                  MailDeliveryResult *results, Buf *errors)
{
    if (!str_eq(transport, "maildir") || n == 1) {
        for (int i = 0; i < n; i++)
            results[i] = mail_transport_deliver(transport, data_dir, envelope_from,
                                                items[i].recipient, items[i].message,
                                                items[i].len, &errors[i]);
        return;
    }
    MailBatchItem *valid = calloc((size_t)n, sizeof *valid);
    int *index = calloc((size_t)n, sizeof *index);
    MailDeliveryResult *valid_results = calloc((size_t)n, sizeof *valid_results);
    Buf *valid_errors = calloc((size_t)n, sizeof *valid_errors);
    if (!valid || !index || !valid_results || !valid_errors) {
        for (int i = 0; i < n; i++) {
            results[i] = MAIL_TEMPORARY_FAILURE;
            buf_puts(&errors[i], "out of memory");
        }
        goto done;
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (!mail_address_valid(items[i].recipient)) {
            buf_puts(&errors[i], "invalid recipient address");
            results[i] = MAIL_PERMANENT_FAILURE;
            continue;
        }
        index[count] = i;
        valid[count++] = items[i];
    }
    if (count == 0)
        goto done;
    Arena a;
    arena_init(&a, 512);
    for (int k = 0; k < count; k++)
        buf_init(&valid_errors[k], &a);
    if (dir_ensure(data_dir, &valid_errors[0]))
        mail_maildir_deliver_batch(arena_printf(&a, "%s/mail", data_dir), valid, count,
                                   valid_results, valid_errors);
    else
        for (int k = 0; k < count; k++)
            valid_results[k] = MAIL_TEMPORARY_FAILURE;
    for (int k = 0; k < count; k++) {
        results[index[k]] = valid_results[k];
        buf_puts(&errors[index[k]], buf_cstr(&valid_errors[k]));
    }
    arena_free(&a);
done:
    free(valid);
    free(index);
    free(valid_results);
    free(valid_errors);
}

MailDeliveryResult mail_transport_deliver(const char *transport, const char *data_dir,
                                          const char *envelope_from, const char *recipient,
                                          const char *message, size_t len, Buf *error)
{
    if (!mail_address_valid(recipient)) {
        buf_puts(error, "invalid recipient address");
        return MAIL_PERMANENT_FAILURE;
    }
    if (str_eq(transport, "maildir")) {
        Arena a;
        arena_init(&a, 512);
        MailDeliveryResult r = MAIL_TEMPORARY_FAILURE;
        if (dir_ensure(data_dir, error))
            r = mail_maildir_deliver(arena_printf(&a, "%s/mail", data_dir), message, len, NULL,
                                     error);
        arena_free(&a);
        return r;
    }
    if (str_starts_with(transport, "smtp://") || str_starts_with(transport, "smtps://")) {
        if (!mail_address_valid(envelope_from)) {
            buf_puts(error, "invalid sender address (setting mail_from)");
            return MAIL_TEMPORARY_FAILURE;
        }
        return smtp_deliver(transport, envelope_from, recipient, message, len, error);
    }
    buf_puts(error, "unknown mail transport (setting mail)");
    return MAIL_TEMPORARY_FAILURE;
}
