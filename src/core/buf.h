/* buf: growable byte buffer for building text. Backed by an Arena (per-request) or the heap
 * (when arena is NULL; then buf_free releases it). Always keeps a NUL after the data. */
#ifndef PFORTE_CORE_BUF_H
#define PFORTE_CORE_BUF_H
#include "core/arena.h"
#include <stdarg.h>
#include <stddef.h>

typedef struct Buf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    Arena *arena; /* NULL = heap */
} Buf;

void buf_init(Buf *b, Arena *arena);
void buf_reserve(Buf *b, size_t extra);
void buf_append(Buf *b, const void *data, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* Appends s with & < > " ' replaced by entities: safe in element text and quoted attributes. */
void buf_append_html(Buf *b, const char *s, size_t n);
/* Returns the data as a C string ("" when empty); valid until the next append. */
const char *buf_cstr(Buf *b);
void buf_clear(Buf *b);
/* Heap buffers only: releases the memory. */
void buf_free(Buf *b);

#endif
