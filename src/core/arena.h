/* arena: per-request bump allocator. Everything allocated from an arena dies together at
 * arena_reset/arena_free; never free a single allocation. Not thread-safe: one owner. */
#ifndef PFORTE_CORE_ARENA_H
#define PFORTE_CORE_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;     /* current block; older blocks chained behind it */
    size_t block_size;    /* default size of new blocks */
    size_t total;         /* bytes handed out since the last reset (for limits and tests) */
    size_t keep_max;      /* 0, or arena_reset's kept block grows up to this (arena_keep) */
} Arena;

/* Prepares an empty arena; the first block is allocated on first use. */
void arena_init(Arena *a, size_t block_size);
/* Returns n zeroed bytes aligned to 16, valid until reset/free. Aborts on exhaustion. */
void *arena_alloc(Arena *a, size_t n);
/* Grows the most recent allocation in place when possible, else copies; new bytes are zero. */
void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n);
/* Like arena_realloc, but bytes beyond old_n may hold anything (for buffers about to be
 * written, where zeroing is wasted work). */
void *arena_realloc_uninit(Arena *a, void *p, size_t old_n, size_t new_n);
/* Makes room for one more element in an arena array of count elements (capacity *cap,
 * doubled as needed, starting at 16) and returns the (possibly moved) array. */
void *arena_grow_array(Arena *a, void *items, int count, int *cap, size_t elem_size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap);
/* From now on a reset after a use that needed more than the kept block keeps one block as
 * large as all of them were, at most max bytes: an arena reused for similar work (a worker's
 * requests) then runs in one block, without malloc and free each time. */
void arena_keep(Arena *a, size_t max);
/* Drops every allocation; keeps the first block for reuse (see arena_keep). */
void arena_reset(Arena *a);
/* Releases every block. */
void arena_free(Arena *a);

#endif
