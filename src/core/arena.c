/* arena: bump allocator in chained blocks; the first block is kept across resets so a worker
 * thread serves most requests without touching malloc. */
#include "core/arena.h"
#include "core/mem.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct ArenaBlock {
    ArenaBlock *next;
    size_t size;
    size_t used;
    size_t last; /* offset of the most recent allocation, for in-place growth */
    unsigned char data[];
};

static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(Arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
    a->total = 0;
    a->keep_max = 0;
}

void arena_keep(Arena *a, size_t max)
{
    a->keep_max = max;
}

static ArenaBlock *arena_new_block(Arena *a, size_t need)
{
    size_t size = a->block_size;
    if (need > size)
        size = align_up(need);
    ArenaBlock *b = xmalloc(sizeof(ArenaBlock) + size);
    b->size = size;
    b->used = 0;
    b->last = 0;
    b->next = a->head;
    a->head = b;
    return b;
}

/* n bytes, not cleared: for callers that overwrite all of them at once */
static void *arena_alloc_raw(Arena *a, size_t n)
{
    if (n > SIZE_MAX / 2) {
        fprintf(stderr, "level=fatal event=arena_overflow bytes=%zu\n", n);
        abort();
    }
    size_t need = align_up(n ? n : 1);
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < need)
        b = arena_new_block(a, need);
    void *p = b->data + b->used;
    b->last = b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *arena_alloc(Arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

static void *arena_grow(Arena *a, void *p, size_t old_n, size_t new_n, bool zero);

void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n)
{
    return arena_grow(a, p, old_n, new_n, true);
}

void *arena_realloc_uninit(Arena *a, void *p, size_t old_n, size_t new_n)
{
    return arena_grow(a, p, old_n, new_n, false);
}

static void *arena_grow(Arena *a, void *p, size_t old_n, size_t new_n, bool zero)
{
    if (!p)
        return zero ? arena_alloc(a, new_n) : arena_alloc_raw(a, new_n);
    ArenaBlock *b = a->head;
    if (b && (unsigned char *)p == b->data + b->last) {
        size_t need = align_up(new_n ? new_n : 1);
        if (b->last + need <= b->size) {
            size_t old_used = b->used;
            b->used = b->last + need;
            a->total += b->used - old_used;
            if (zero && new_n > old_n)
                memset((unsigned char *)p + old_n, 0, new_n - old_n);
            return p;
        }
    }
    void *q = zero ? arena_alloc(a, new_n) : arena_alloc_raw(a, new_n);
    memcpy(q, p, old_n < new_n ? old_n : new_n);
    return q;
}

void *arena_grow_array(Arena *a, void *items, int count, int *cap, size_t elem_size)
{
    if (count < *cap)
        return items;
    int grown = *cap ? *cap * 2 : 16;
    items = arena_realloc(a, items, elem_size * (size_t)*cap, elem_size * (size_t)grown);
    *cap = grown;
    return items;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_raw(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Formats straight into the current block's free space; only text that does not fit there
 * is formatted a second time, into a block of its size. */
char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
{
    ArenaBlock *b = a->head;
    size_t room = b ? b->size - b->used : 0;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(room ? (char *)b->data + b->used : NULL, room, fmt, copy);
    va_end(copy);
    if (n < 0)
        return arena_strdup(a, "");
    if (align_up((size_t)n + 1) <= room)
        return arena_alloc_raw(a, (size_t)n + 1); /* the very bytes just written */
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_reset(Arena *a)
{
    ArenaBlock *b = a->head;
    if (!b)
        return;
    if (b->next && a->keep_max > a->block_size) {
        /* one block as large as all of them, in whole block sizes, at most keep_max */
        size_t held = 0;
        for (ArenaBlock *x = b; x; x = x->next)
            held += x->size;
        size_t keep = (held + a->block_size - 1) / a->block_size * a->block_size;
        arena_free(a);
        arena_new_block(a, keep < a->keep_max ? keep : a->keep_max);
        return;
    }
    /* keep the oldest block (the first one allocated), free the rest */
    while (b->next) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    b->last = 0;
    a->head = b;
    a->total = 0;
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
