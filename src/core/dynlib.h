/* dynlib: a library opened with dlopen on first use instead of being linked (GMime, libcurl,
 * libpq): a process that never needs it never maps it or the libraries behind it. The caller
 * keeps a struct of typed function pointers, generated with their names from one X-macro
 * list; this fills them. */
#ifndef PFORTE_CORE_DYNLIB_H
#define PFORTE_CORE_DYNLIB_H
#include <stdbool.h>
#include <stddef.h>

/* Opens soname (RTLD_NOW | RTLD_LOCAL) and stores the address of names[i] in *slots[i]; false
 * when the library or one of the functions is missing, logged as event=library_unavailable
 * with the library and the error or the missing name. Call it once (pthread_once). */
bool dynlib_open(const char *soname, const char *const names[], void **const slots[],
                 size_t count);

/* An X-macro list's entry as the name dynlib_open looks up. */
#define DYNLIB_NAME(f) #f,

#endif
