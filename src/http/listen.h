/* listen: parses the --listen address ("127.0.0.1:8080", "[::1]:8080") into a socket
 * address and opens the listening socket on it. Internal to src/http. */
#ifndef PFORTE_HTTP_LISTEN_H
#define PFORTE_HTTP_LISTEN_H
#include <stdbool.h>
#include <sys/socket.h>

/* Fills *out with an IPv4 "a.b.c.d:port" or IPv6 "[addr]:port" (port 1-65535; numeric
 * addresses only, no host names). Returns false for anything else. */
bool listen_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len);

/* A non-blocking listening TCP socket bound to addr (SO_REUSEADDR; an IPv6 address serves
 * IPv6 only) with a backlog of `backlog`. Returns the descriptor, or -1 with errno set. */
int listen_open(const struct sockaddr_storage *addr, socklen_t addr_len, int backlog);

#endif
