/* listen: numeric listen addresses only - a host name would need DNS at start-up and could
 * resolve to several addresses. */
#include "http/listen.h"
#include "core/str.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static bool port_parse(const char *s, uint16_t *port)
{
    int64_t v;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    if (!str_to_int64(s, &v) || v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

bool listen_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len)
{
    char host[64];
    uint16_t port;
    memset(out, 0, sizeof *out);
    if (!text)
        return false;
    const char *colon = strrchr(text, ':');
    if (!colon || !port_parse(colon + 1, &port))
        return false;
    size_t host_len = (size_t)(colon - text);
    if (text[0] == '[') {
        if (host_len < 3 || text[host_len - 1] != ']' || host_len - 2 >= sizeof host)
            return false;
        memcpy(host, text + 1, host_len - 2);
        host[host_len - 2] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *out_len = sizeof *a6;
        return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1;
    }
    if (host_len == 0 || host_len >= sizeof host)
        return false;
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    struct sockaddr_in *a4 = (struct sockaddr_in *)out;
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    *out_len = sizeof *a4;
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1;
}

int listen_open(const struct sockaddr_storage *addr, socklen_t addr_len, int backlog)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (addr->ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(fd, (const struct sockaddr *)addr, addr_len) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

void listen_address_text(const struct sockaddr *sa, char out[INET6_ADDRSTRLEN])
{
    if (sa && sa->sa_family == AF_INET6) {
        if (!inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                       INET6_ADDRSTRLEN))
            memcpy(out, "-", 2);
        return;
    }
    if (!sa || sa->sa_family != AF_INET) {
        memcpy(out, "-", 2);
        return;
    }
    const unsigned char *b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
    char *o = out;
    for (int i = 0; i < 4; i++) {
        char digits[STR_INT_SIZE];
        size_t n = str_from_int(digits, b[i]);
        if (i)
            *o++ = '.';
        memcpy(o, digits, n);
        o += n;
    }
    *o = '\0';
}
