/* mem: allocation that never returns NULL - long-lived state only (per-request data uses Arena).
 * Never returns on exhaustion: logs one line and aborts. */
#ifndef PFORTE_CORE_MEM_H
#define PFORTE_CORE_MEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
