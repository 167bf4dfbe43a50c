/* form: application/x-www-form-urlencoded parsing (request bodies and query strings) and the
 * ordered Param list every parser in src/http fills. Pure functions on arena memory; no I/O. */
#ifndef PFORTE_HTTP_FORM_H
#define PFORTE_HTTP_FORM_H
#include "core/arena.h"
#include "http/request.h"
#include <stdbool.h>
#include <stddef.h>

/* Most fields one form, query string or multipart body may carry (more is a 400). */
#define FORM_MAX_FIELDS 1000

/* An ordered list of name/value pairs under construction; head is what Request keeps. */
typedef struct ParamList {
    Param *head;
    Param **tail;
    int count;
} ParamList;

void param_list_init(ParamList *list);
/* Appends name=value (both kept by reference: allocate them in the same arena). */
void param_list_add(ParamList *list, Arena *a, const char *name, const char *value);

/* Decodes one urlencoded component ('+' is a space, %XX a byte). Returns NULL for a bad
 * escape, an encoded NUL or text that is not UTF-8; the result lives in a. */
/* Like form_decode_component for a field's value, but invalid UTF-8 is replaced by U+FFFD
 * (the handler's validation then asks the user to type it again) instead of refused. */
char *form_decode_value(Arena *a, const char *s, size_t n);
char *form_decode_component(Arena *a, const char *s, size_t n);

/* Parses "a=1&b=x+y&c" into list, in order. Pairs without '=' get the value "", empty pairs
 * and pairs with an empty name are skipped, repeated names are all kept. Returns false (the
 * whole input is malformed: answer 400) on a bad escape, NUL, invalid UTF-8 or more than
 * FORM_MAX_FIELDS fields; list then holds the fields parsed before the error. */
bool form_parse_urlencoded(Arena *a, const char *data, size_t len, ParamList *list);

#endif
