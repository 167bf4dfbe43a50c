/* fuzz_mail_header: mail_build with arbitrary subject, names, addresses and bodies. Whatever
 * the input, an accepted message must be 7-bit, CRLF-only, keep lines within limits and have
 * only the headers mail_build writes (no injected header); the address checks must not
 * crash. Input: fields separated by NUL bytes (subject, to_name, to, from, text, html). */
#include "core/arena.h"
#include "core/buf.h"
#include "mail/message.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const HEADERS[] = {
    "Date:",
    "From:",
    "To:",
    "Reply-To:",
    "Subject:",
    "Message-ID:",
    "MIME-Version:",
    "Auto-Submitted:",
    "X-Pforte:",
    "Content-Language:",
    "Content-Type:",
    "Content-Transfer-Encoding:",
    "In-Reply-To:",
    "References:",
    NULL,
};

static bool known_header(const char *line)
{
    for (int i = 0; HEADERS[i]; i++)
        if (strncmp(line, HEADERS[i], strlen(HEADERS[i])) == 0)
            return true;
    return false;
}

static void check_output(const char *s, size_t n)
{
    bool in_header = true;
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x7f || (c < 0x20 && c != '\r' && c != '\n' && c != '\t'))
            abort(); /* 8-bit or control byte in the output */
        if (c == '\r' && (i + 1 >= n || s[i + 1] != '\n'))
            abort();
        if (c == '\n' && (i == 0 || s[i - 1] != '\r'))
            abort();
        if (c != '\n')
            continue;
        size_t len = i - 1 - line;
        if (len == 0)
            in_header = false;
        else if (in_header && s[line] != ' ' && !known_header(s + line))
            abort(); /* a header mail_build does not write: injection */
        if (len > (in_header ? 998u : 76u))
            abort();
        line = i + 1;
    }
    if (line != n)
        abort(); /* last line without CRLF */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *fields[6] = {"Betreff", NULL, "kunde@example.org", "Portal <p@example.com>",
                             "Text",    NULL};
    char *p = copy;
    for (int i = 0; i < 6 && p <= copy + size; i++) {
        fields[i] = p;
        p += strlen(p) + 1;
    }
    Arena a;
    arena_init(&a, 4096);
    MailMessage m = {.subject = fields[0],
                     .to_name = fields[1],
                     .to = fields[2],
                     .from = fields[3],
                     .text = fields[4],
                     .html = fields[5],
                     .lang = "de"};
    Buf out;
    buf_init(&out, &a);
    if (mail_build(&a, &m, 1764460740, &out, NULL))
        check_output(out.data, out.len);
    const char *name, *addr;
    mail_address_valid(fields[0]);
    mail_mailbox_parse(&a, fields[0], &name, &addr);
    arena_free(&a);
    free(copy);
    return 0;
}
