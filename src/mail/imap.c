/* imap: libcurl's IMAP support with custom commands for UID SEARCH and UID STORE, and its
 * ";UID=n" URLs for fetching. */
#include "mail/imap.h"
#include "mail/curl_lib.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include <stdlib.h>
#include <string.h>

#define IMAP_TIMEOUT_SECONDS 60

struct ImapSession {
    CURL *curl;
    char *url; /* without a trailing slash */
};

typedef struct Sink {
    Buf *buf;
    int64_t max; /* keep at most max + 1 bytes; < 0 = no limit */
    bool cut;
} Sink;

static size_t sink_write(char *data, size_t size, size_t n, void *user)
{
    Sink *s = user;
    size_t len = size * n;
    size_t keep = len;
    if (s->max >= 0) {
        int64_t room = s->max + 1 - (int64_t)s->buf->len;
        if (room < (int64_t)len) {
            keep = room > 0 ? (size_t)room : 0;
            s->cut = true;
        }
    }
    buf_append(s->buf, data, keep);
    return len;
}

ImapSession *imap_open(const char *url, const char *user, const char *password)
{
    if (!str_starts_with(url, "imap://") && !str_starts_with(url, "imaps://"))
        return NULL;
    if (!curl_lib_load()) /* libcurl, opened and initialised once per process */
        return NULL;
    ImapSession *s = xcalloc(1, sizeof *s);
    s->curl = curl_easy_init();
    s->url = xstrdup(url);
    size_t n = strlen(s->url);
    while (n && s->url[n - 1] == '/')
        s->url[--n] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_USERNAME, user ? user : "");
    curl_easy_setopt(s->curl, CURLOPT_PASSWORD, password ? password : "");
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)IMAP_TIMEOUT_SECONDS);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    /* imap:// must upgrade with STARTTLS, so the password never crosses a network in clear;
     * only a mailbox on this machine may be spoken to without TLS */
    bool local = str_starts_with(url, "imap://127.0.0.1") ||
                 str_starts_with(url, "imap://localhost") || str_starts_with(url, "imap://[::1]");
    curl_easy_setopt(s->curl, CURLOPT_USE_SSL, (long)(local ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    return s;
}

void imap_close(ImapSession *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->curl);
    free(s->url);
    free(s);
}

/* Runs one command (custom NULL = the URL's own operation) writing into sink. */
static bool imap_run(ImapSession *s, const char *url, const char *custom, Sink *sink)
{
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, custom);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, sink);
    CURLcode rc = curl_easy_perform(s->curl);
    if (rc != CURLE_OK) {
        log_warn("event=imap_failed command=\"%s\" error=\"%s\"", custom ? custom : "FETCH",
                 curl_easy_strerror(rc));
        return false;
    }
    return true;
}

bool imap_search_unseen(ImapSession *s, int64_t **uids, int *count)
{
    *uids = NULL;
    *count = 0;
    Buf out;
    buf_init(&out, NULL);
    Sink sink = {&out, 1 << 22, false};
    bool ok = imap_run(s, s->url, "UID SEARCH UNSEEN", &sink);
    int cap = 0;
    const char *line = out.data ? strstr(out.data, "* SEARCH") : NULL;
    if (ok && line) {
        const char *p = line + 8;
        while (*p && *p != '\r' && *p != '\n') {
            while (*p == ' ')
                p++;
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p)
                break;
            if (*count == cap) {
                cap = cap ? cap * 2 : 64;
                *uids = xrealloc(*uids, sizeof **uids * (size_t)cap);
            }
            (*uids)[(*count)++] = v;
            p = end;
        }
    }
    buf_free(&out);
    return ok;
}

bool imap_fetch(ImapSession *s, int64_t uid, int64_t max, Buf *out, bool *too_large)
{
    char url[4096];
    snprintf(url, sizeof url, "%s/;UID=%lld", s->url, (long long)uid);
    Sink sink = {out, max, false};
    bool ok = imap_run(s, url, NULL, &sink);
    *too_large = sink.cut;
    return ok;
}

bool imap_set_seen(ImapSession *s, int64_t uid, bool seen)
{
    char command[128];
    snprintf(command, sizeof command, "UID STORE %lld %sFLAGS (\\Seen)", (long long)uid,
             seen ? "+" : "-");
    Buf out;
    buf_init(&out, NULL);
    Sink sink = {&out, 1 << 16, false};
    bool ok = imap_run(s, s->url, command, &sink);
    buf_free(&out);
    return ok;
}
