/* listen: parses the --listen address ("127.0.0.1:8080", "[::1]:8080") into a socket
 * address. Pure function; internal to src/http. */
#ifndef PFORTE_HTTP_LISTEN_H
#define PFORTE_HTTP_LISTEN_H
#include <stdbool.h>
#include <sys/socket.h>

/* Fills *out with an IPv4 "a.b.c.d:port" or IPv6 "[addr]:port" (port 1-65535; numeric
 * addresses only, no host names). Returns false for anything else. */
bool listen_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len);

#endif
