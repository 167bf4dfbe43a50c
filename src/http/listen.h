/* listen: parses the --listen address ("127.0.0.1:8080", "[::1]:8080") into a socket
 * address, opens the listening socket on it and writes a peer's address as text. Internal
 * to src/http. */
#ifndef PFORTE_HTTP_LISTEN_H
#define PFORTE_HTTP_LISTEN_H
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Fills *out with an IPv4 "a.b.c.d:port" or IPv6 "[addr]:port" (port 1-65535; numeric
 * addresses only, no host names). Returns false for anything else. */
bool listen_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len);

/* A non-blocking listening TCP socket bound to addr (SO_REUSEADDR; an IPv6 address serves
 * IPv6 only) with a backlog of `backlog`. Returns the descriptor, or -1 with errno set. */
int listen_open(const struct sockaddr_storage *addr, socklen_t addr_len, int backlog);

/* The address of sa without its port ("192.0.2.7", "2001:db8::1"); "-" for NULL or another
 * family. IPv4 is written by hand: inet_ntop's sprintf per byte cost more than the rest of a
 * small request's head. */
void listen_address_text(const struct sockaddr *sa, char out[INET6_ADDRSTRLEN]);

#endif
