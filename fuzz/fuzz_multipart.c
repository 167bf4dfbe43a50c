/* fuzz_multipart: libFuzzer target for the streaming multipart parser. The input's first
 * line (up to 70 bytes) is the boundary when valid ("fz" otherwise); the rest is the body,
 * fed in chunks whose sizes come from a PRNG seeded by the input, so chunk borders land
 * everywhere. Afterwards the same body is parsed whole: the verdicts must agree. */
#include "core/arena.h"
#include "core/str.h"
#include "http/multipart.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* seed 0 feeds the body in one piece; any other seed in random chunks */
static bool parse(Arena *a, const char *boundary, const char *body, size_t len, uint32_t seed,
                  int *fields, int *files)
{
    MultipartParser *p = multipart_new(a, boundary, seed & 1 ? len : 0);
    bool whole = seed == 0;
    if (!p)
        abort(); /* boundaries given here are valid */
    bool ok = true;
    for (size_t at = 0; at < len && ok;) {
        seed = seed * 1103515245u + 12345u;
        size_t n = whole ? len : 1 + (seed >> 16) % 97;
        if (n > len - at)
            n = len - at;
        /* a heap copy of exactly n bytes: a read past the chunk is an ASan report */
        char *chunk = malloc(n);
        memcpy(chunk, body + at, n);
        ok = multipart_feed(p, chunk, n);
        free(chunk);
        at += n;
    }
    ok = ok && multipart_finish(p);
    *fields = *files = 0;
    for (const Param *f = ok ? multipart_fields(p) : NULL; f; f = f->next, ++*fields)
        if (!str_utf8_valid(f->value, strlen(f->value)))
            abort();
    for (const UploadedFile *f = ok ? multipart_files(p) : NULL; f; f = f->next, ++*files)
        if (f->data[f->size] != '\0')
            abort();
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 0);
    const char *nl = memchr(data, '\n', size < 71 ? size : 71);
    size_t blen = nl ? (size_t)(nl - (const char *)data) : 0;
    char *boundary = arena_strndup(&a, (const char *)data, blen);
    const char *body = nl ? nl + 1 : (const char *)data;
    size_t len = size - (size_t)(body - (const char *)data);
    if (!multipart_new(&a, boundary, 0))
        boundary = "fz";
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    seed |= 2; /* never 0, the whole-body pass */
    int fields1, files1, fields2, files2;
    bool chunked = parse(&a, boundary, body, len, seed, &fields1, &files1);
    bool whole = parse(&a, boundary, body, len, 0, &fields2, &files2);
    if (chunked != whole || fields1 != fields2 || files1 != files2)
        abort();
    arena_free(&a);
    return 0;
}
