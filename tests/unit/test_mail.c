/* test_mail: outgoing mail without a database - mail_build output parsed back (unfolded,
 * RFC 2047 and quoted-printable decoded by the small independent reader below) equals the
 * input; header injection is rejected; address checks; Maildir delivery; SMTP delivery
 * against Debian's aiosmtpd started on a free port (accept, 4xx, 5xx, closed port). */
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/str.h"
#include "mail/message.h"
#include "mail/transport.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FROM "Supportportal Müller & Co <support@example.com>"
#define NOW 1764460740 /* Sat, 29 Nov 2025 23:59:00 +0000 */

/* ---- a small, independent reader for what mail_build writes ---- */

typedef struct Parsed {
    const char *names[32];
    const char *values[32]; /* unfolded, not decoded */
    int count;
    const char *body; /* raw body after the blank line */
} Parsed;

/* Checks CRLF discipline and line lengths, then unfolds the header section. */
static void parse_message(Arena *a, const char *raw, size_t len, Parsed *p)
{
    memset(p, 0, sizeof *p);
    size_t line_start = 0;
    bool in_body = false;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\r')
            assert_true(i + 1 < len && raw[i + 1] == '\n');
        if (raw[i] != '\n')
            continue;
        assert_true(i > 0 && raw[i - 1] == '\r');
        size_t line_len = i - 1 - line_start;
        if (line_len == 0)
            in_body = true;
        else /* RFC 2045: no line ends in whitespace (it may be stripped in transit) */
            assert_true(raw[i - 2] != ' ' && raw[i - 2] != '\t');
        /* headers fold under 78 columns, quoted-printable lines stay within 76 */
        assert_in_range(line_len, 0, in_body ? 76 : 78);
        line_start = i + 1;
    }
    const char *header_end = strstr(raw, "\r\n\r\n");
    assert_non_null(header_end);
    p->body = header_end + 4;
    Buf value;
    const char *line = raw;
    while (line < header_end + 2) {
        const char *eol = strstr(line, "\r\n");
        if (*line == ' ' || *line == '\t') {
            assert_true(p->count > 0); /* continuation: unfolding drops the CRLF only */
            buf_append(&value, line, (size_t)(eol - line));
            p->values[p->count - 1] = value.data;
        } else {
            const char *colon = memchr(line, ':', (size_t)(eol - line));
            assert_non_null(colon);
            assert_true(p->count < 32);
            p->names[p->count] = arena_strndup(a, line, (size_t)(colon - line));
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            buf_init(&value, a);
            buf_append(&value, v, (size_t)(eol - v));
            p->values[p->count++] = value.data;
        }
        line = eol + 2;
    }
}

static const char *header_get(const Parsed *p, const char *name)
{
    const char *found = NULL;
    for (int i = 0; i < p->count; i++) {
        if (strcasecmp(p->names[i], name) == 0) {
            assert_null(found); /* every header at most once */
            found = p->values[i];
        }
    }
    return found;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    fail_msg("bad hex digit %c", c);
    return 0;
}

/* Decodes one "=?UTF-8?X?...?=" at s into out; returns its length, 0 when s is not one. */
static size_t decode_encoded_word(const char *s, Buf *out)
{
    if (strncasecmp(s, "=?UTF-8?", 8) != 0 || !s[8] || s[9] != '?')
        return 0;
    char kind = s[8];
    const char *text = s + 10, *end = strstr(text, "?=");
    assert_non_null(end);
    size_t n = (size_t)(end - text);
    assert_int_equal(strcspn(text, " \t?"), n); /* RFC 2047: no space or '?' inside */
    if (kind == 'B' || kind == 'b') {
        unsigned char bin[256];
        size_t bin_len = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, text, n, NULL, &bin_len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        buf_append(out, bin, bin_len);
    } else {
        assert_true(kind == 'Q' || kind == 'q');
        for (size_t i = 0; i < n; i++) {
            if (text[i] == '_') {
                buf_putc(out, ' ');
            } else if (text[i] == '=') {
                buf_putc(out, (char)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
                i += 2;
            } else {
                buf_putc(out, text[i]);
            }
        }
    }
    assert_in_range(end + 2 - s, 0, 75); /* RFC 2047: an encoded word is at most 75 chars */
    return (size_t)(end + 2 - s);
}

/* RFC 2047 decoding of an unstructured value: whitespace between encoded words vanishes. */
static const char *decode_2047(Arena *a, const char *s)
{
    Buf out, space;
    buf_init(&out, a);
    buf_init(&space, a);
    buf_puts(&out, "");
    bool after_word = false;
    while (*s) {
        size_t n = decode_encoded_word(s, &out);
        if (n) {
            s += n;
            after_word = true;
            buf_clear(&space);
            continue;
        }
        if (*s == ' ' || *s == '\t') {
            buf_putc(&space, *s++);
            continue;
        }
        buf_append(&out, space.data ? space.data : "", space.len);
        buf_clear(&space);
        after_word = false;
        buf_putc(&out, *s++);
    }
    if (!after_word)
        buf_append(&out, space.data ? space.data : "", space.len);
    return out.data;
}

/* Splits "phrase <addr>" or "addr" and decodes the phrase (quoted string or encoded words). */
static void decode_mailbox(Arena *a, const char *v, const char **name, const char **addr)
{
    const char *open = strrchr(v, '<');
    if (!open) {
        *name = "";
        *addr = v;
        return;
    }
    *addr = arena_strndup(a, open + 1, strlen(open + 1) - 1);
    size_t n = (size_t)(open - v);
    while (n && v[n - 1] == ' ')
        n--;
    if (n >= 2 && v[0] == '"') {
        Buf b;
        buf_init(&b, a);
        buf_puts(&b, "");
        for (size_t i = 1; i + 1 < n; i++) {
            assert_true(v[i] != '"'); /* quotes inside must be escaped */
            if (v[i] == '\\')
                i++;
            buf_putc(&b, v[i]);
        }
        *name = b.data;
    } else {
        *name = decode_2047(a, arena_strndup(a, v, n));
    }
}

/* Quoted-printable to text, CRLF to LF. */
static const char *decode_qp(Arena *a, const char *s, size_t n)
{
    Buf out;
    buf_init(&out, a);
    buf_puts(&out, "");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n + 1 && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=') {
            buf_putc(&out, (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else if (s[i] == '\r' && s[i + 1] == '\n') {
            buf_putc(&out, '\n');
            i++;
        } else {
            assert_true(s[i] == '\t' || (s[i] >= 0x20 && s[i] < 0x7f));
            buf_putc(&out, s[i]);
        }
    }
    return out.data;
}

/* The input text as a reader sees it: every line break becomes LF. */
static const char *normalize_breaks(Arena *a, const char *s)
{
    Buf out;
    buf_init(&out, a);
    buf_puts(&out, "");
    for (; *s; s++) {
        if (*s == '\r') {
            buf_putc(&out, '\n');
            if (s[1] == '\n')
                s++;
        } else {
            buf_putc(&out, *s);
        }
    }
    return out.data;
}

/* Returns the decoded content of a part "headers CRLF CRLF content" whose type is `type`. */
static const char *decode_part(Arena *a, const char *part, size_t n, const char *type)
{
    const char *blank = strstr(part, "\r\n\r\n");
    assert_non_null(blank);
    assert_true(blank < part + n);
    const char *ct = strstr(part, "Content-Type: ");
    assert_true(ct && ct < blank);
    assert_memory_equal(ct + 14, type, strlen(type));
    const char *cte = strstr(part, "Content-Transfer-Encoding: quoted-printable\r\n");
    assert_true(cte && cte < blank + 2);
    return decode_qp(a, blank + 4, n - (size_t)(blank + 4 - part));
}

/* ---- round trips ---- */

static MailMessage base_message(void)
{
    MailMessage m = {0};
    m.from = FROM;
    m.to = "kunde@example.org";
    m.to_name = "Hans Meier";
    m.subject = "Ihre Anfrage SUP-42";
    m.text = "Hallo,\n\ndanke.\n";
    m.lang = "de";
    return m;
}

typedef struct RoundTrip {
    const char *label;
    const char *to_name;
    const char *subject;
    const char *text;
    const char *html;
} RoundTrip;

static const RoundTrip ROUND_TRIPS[] = {
    {"ascii", "Hans Meier", "Your request SUP-1 was updated", "Hello,\n\nline two\n", NULL},
    {"umlauts", "Jürgen Groß", "Ihre Anfrage „Größe“ wurde geändert", "Grüße\r\nÄÖÜ äöü ß\n", NULL},
    {"long ascii subject", NULL,
     "Re: [SUP-1234] The import of documents fails with an error message when the file is "
     "larger than ten megabytes and contains many pages with scanned images in them",
     "A long line that goes on and on and on and on and on and on and on and on and on and on "
     "and on and on and on and on and on and on and on and on and on and on and on - done.\n",
     NULL},
    {"long umlaut subject", "Björn",
     "[SUP-42] Größenänderung der Übersicht schlägt fehl, wenn viele Dokumente gleichzeitig "
     "importiert werden (Ärger!)",
     "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüü", /* 60 bytes: the QP line breaks between characters */
     NULL},
    {"cjk", "山田 太郎", "日本語の件名はとても長いので分割されます 😀", "こんにちは\n", NULL},
    {"specials", "Meier, Hans \"HM\" (Support) \\o/", "Re: =?utf-8?q?fake?= & <b>tags</b>",
     "a=b\n.\n..dots\nFrom me\ntrailing space \nTab\tinside and at end\t\nno final break", NULL},
    {"whitespace", "  two  spaces ", "  double  spaces\tand tab ", "", NULL},
    {"long word", NULL,
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy end",
     "====================================================================================\n",
     NULL},
    {"html", "Anna", "Neue Antwort zu SUP-7", "Hallo Anna,\nes gibt eine Antwort.\n",
     "<p>Hallo Anna,</p>\n<p>es gibt eine <b>Antwort</b> &amp; Grüße.</p>\n"
     "<p>--=_ not a boundary</p>"},
    {"html empty text", NULL, "", "", "<p></p>"},
};

static void check_round_trip(const RoundTrip *rt)
{
    Arena a;
    arena_init(&a, 8192);
    MailMessage m = base_message();
    m.to_name = rt->to_name;
    m.subject = rt->subject;
    m.text = rt->text;
    m.html = rt->html;
    Buf out;
    buf_init(&out, &a);
    const char *id = NULL;
    assert_true(mail_build(&a, &m, NOW, &out, &id));
    Parsed p;
    parse_message(&a, out.data, out.len, &p);
    const char *name, *addr;
    assert_string_equal(header_get(&p, "Date"), "Sat, 29 Nov 2025 23:59:00 +0000");
    decode_mailbox(&a, header_get(&p, "From"), &name, &addr);
    assert_string_equal(name, "Supportportal Müller & Co");
    assert_string_equal(addr, "support@example.com");
    decode_mailbox(&a, header_get(&p, "To"), &name, &addr);
    assert_string_equal(name, rt->to_name ? rt->to_name : "");
    assert_string_equal(addr, "kunde@example.org");
    assert_string_equal(decode_2047(&a, header_get(&p, "Subject")), rt->subject);
    assert_string_equal(header_get(&p, "Message-ID"), id);
    assert_string_equal(header_get(&p, "MIME-Version"), "1.0");
    assert_string_equal(header_get(&p, "Auto-Submitted"), "auto-generated");
    assert_string_equal(header_get(&p, "Content-Language"), "de");
    assert_null(header_get(&p, "Reply-To"));
    assert_null(header_get(&p, "In-Reply-To"));
    const char *ct = header_get(&p, "Content-Type");
    const char *text = normalize_breaks(&a, rt->text);
    if (!rt->html) {
        assert_string_equal(ct, "text/plain; charset=utf-8");
        assert_string_equal(header_get(&p, "Content-Transfer-Encoding"), "quoted-printable");
        /* the body ends with the CRLF every message ends with */
        assert_string_equal(decode_qp(&a, p.body, strlen(p.body)), arena_printf(&a, "%s\n", text));
    } else {
        const char *b = strstr(ct, "boundary=\"");
        assert_true(str_starts_with(ct, "multipart/alternative;") && b);
        const char *boundary = arena_strndup(&a, b + 10, strcspn(b + 10, "\""));
        const char *open = arena_printf(&a, "--%s\r\n", boundary);
        const char *mid = arena_printf(&a, "\r\n--%s\r\n", boundary);
        const char *close = arena_printf(&a, "\r\n--%s--\r\n", boundary);
        assert_true(str_starts_with(p.body, open));
        const char *part1 = p.body + strlen(open), *sep = strstr(part1, mid);
        assert_non_null(sep);
        const char *part2 = sep + strlen(mid), *end = strstr(part2, close);
        assert_non_null(end);
        assert_string_equal(end + strlen(close), ""); /* nothing after the close delimiter */
        assert_null(strstr(part2, mid));              /* exactly two parts */
        assert_string_equal(decode_part(&a, part1, (size_t)(sep - part1), "text/plain"), text);
        assert_string_equal(decode_part(&a, part2, (size_t)(end - part2), "text/html"),
                            normalize_breaks(&a, rt->html));
    }
    arena_free(&a);
}

static void test_build_round_trips(void **state)
{
    for (size_t i = 0; i < sizeof ROUND_TRIPS / sizeof ROUND_TRIPS[0]; i++) {
        print_message("round trip: %s\n", ROUND_TRIPS[i].label);
        check_round_trip(&ROUND_TRIPS[i]);
    }
}

static void test_build_optional_headers(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    MailMessage m = base_message();
    m.reply_to = "\"Team, Support\" <team@example.com>";
    m.in_reply_to = "<orig-1@example.com>";
    m.references = "<r1@example.com> <r2@example.com> <r3@example.com> <r4@example.com> "
                   "<r5@example.com> <r6@example.com>";
    m.message_id = "given.id.1@example.com";
    m.lang = NULL;
    m.to_name = NULL;
    Buf out;
    buf_init(&out, &a);
    const char *id = NULL;
    assert_true(mail_build(&a, &m, NOW, &out, &id));
    Parsed p;
    parse_message(&a, out.data, out.len, &p);
    assert_string_equal(id, "<given.id.1@example.com>");
    assert_string_equal(header_get(&p, "Message-ID"), "<given.id.1@example.com>");
    assert_string_equal(header_get(&p, "Reply-To"), "\"Team, Support\" <team@example.com>");
    assert_string_equal(header_get(&p, "In-Reply-To"), "<orig-1@example.com>");
    assert_string_equal(header_get(&p, "References"), m.references); /* folded, unfolds back */
    assert_string_equal(header_get(&p, "To"), "kunde@example.org");
    assert_null(header_get(&p, "Content-Language"));
    assert_true(strstr(out.data, "\r\nReferences: ") && strstr(out.data, ">\r\n <r"));

    /* an id given with its angle brackets is used as it is */
    m.message_id = "<given.2@example.com>";
    buf_clear(&out);
    assert_true(mail_build(&a, &m, NOW, &out, &id));
    assert_string_equal(id, "<given.2@example.com>");
    assert_non_null(strstr(out.data, "\r\nMessage-ID: <given.2@example.com>\r\n"));

    /* generated ids: random hex at the sender's domain, different every time */
    m.message_id = NULL;
    const char *id2 = NULL, *id3 = NULL;
    buf_clear(&out);
    assert_true(mail_build(&a, &m, NOW, &out, &id2));
    assert_true(mail_build(&a, &m, NOW, &out, &id3));
    assert_int_equal(strlen(id2), 1 + 32 + strlen("@example.com") + 1);
    assert_true(str_ends_with(id2, "@example.com>") && id2[0] == '<');
    assert_int_equal(strspn(id2 + 1, "0123456789abcdef"), 32);
    assert_string_not_equal(id2, id3);
    arena_free(&a);
}

static void test_build_boundary_is_random_and_quoted(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    MailMessage m = base_message();
    m.html = "<p>x</p>";
    Buf one, two;
    buf_init(&one, &a);
    buf_init(&two, &a);
    assert_true(mail_build(&a, &m, NOW, &one, NULL));
    assert_true(mail_build(&a, &m, NOW, &two, NULL));
    const char *b1 = strstr(one.data, "boundary=\""), *b2 = strstr(two.data, "boundary=\"");
    assert_true(b1 && b2);
    assert_int_not_equal(strncmp(b1, b2, 40), 0);
    arena_free(&a);
}

/* Readable where possible: Q for Latin text, B for CJK, plain ASCII unencoded; no body line
 * starts with "." or "From " (some relays and mbox files change those). */
static void test_build_encoding_choices(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    MailMessage m = base_message();
    Buf out;
    buf_init(&out, &a);
    m.subject = ROUND_TRIPS[3].subject; /* mostly ASCII with umlauts */
    m.text = ".\n..two\nFrom here\n";
    assert_true(mail_build(&a, &m, NOW, &out, NULL));
    assert_non_null(strstr(out.data, "\r\nSubject: =?UTF-8?Q?=5BSUP-42=5D_Gr=C3=B6=C3=9F"));
    assert_non_null(strstr(out.data, "\r\nTo: Hans Meier <kunde@example.org>\r\n"));
    assert_null(strstr(out.data, "\r\n."));
    assert_null(strstr(out.data, "\r\nFrom "));
    buf_clear(&out);
    m.subject = ROUND_TRIPS[4].subject; /* CJK */
    assert_true(mail_build(&a, &m, NOW, &out, NULL));
    assert_non_null(strstr(out.data, "\r\nSubject: =?UTF-8?B?"));
    buf_clear(&out);
    m.subject = "Plain words only";
    assert_true(mail_build(&a, &m, NOW, &out, NULL));
    assert_non_null(strstr(out.data, "\r\nSubject: Plain words only\r\n"));
    arena_free(&a);
}

/* ---- rejection ---- */

typedef struct Injection {
    const char *field;
    const char *value;
} Injection;

static const Injection INJECTIONS[] = {
    {"subject", "Hi\r\nBcc: victim@example.net"},
    {"subject", "Hi\nBcc: victim@example.net"},
    {"subject", "Hi\rBcc: victim@example.net"},
    {"subject", "bad utf-8 \xff"},
    {"to", "kunde@example.org\r\nBcc: victim@example.net"},
    {"to", "kunde@example.org\n"},
    {"to", "kunde@example.org, victim@example.net"},
    {"to", "Hans <kunde@example.org>"},
    {"to", "not an address"},
    {"to_name", "Eve\r\nBcc: victim@example.net"},
    {"to_name", "Eve\n"},
    {"from", "Portal <support@example.com>\r\nBcc: victim@example.net"},
    {"from", "Portal\n <support@example.com>"},
    {"from", "Portal <support@example.com, victim@example.net>"},
    {"reply_to", "team@example.com\r\nBcc: victim@example.net"},
    {"reply_to", "Team <team@example.com>\n"},
    {"in_reply_to", "<a@example.com>\r\nBcc: victim@example.net"},
    {"references", "<a@example.com>\n<b@example.com>"},
    {"message_id", "<a@example.com>\r\nBcc: victim@example.net"},
    {"message_id", "no-at-sign"},
    {"message_id", "<two@at@example.com>"},
    {"lang", "de\r\nBcc: victim@example.net"},
    {"lang", "de en"},
    {"text", NULL},
    {"text", "bad utf-8 \xc3\x28"},
    {"html", "bad utf-8 \xed\xa0\x80"},
};

static void set_field(MailMessage *m, const char *field, const char *value)
{
    const char **slot = str_eq(field, "subject")       ? &m->subject
                        : str_eq(field, "to")          ? &m->to
                        : str_eq(field, "to_name")     ? &m->to_name
                        : str_eq(field, "from")        ? &m->from
                        : str_eq(field, "reply_to")    ? &m->reply_to
                        : str_eq(field, "in_reply_to") ? &m->in_reply_to
                        : str_eq(field, "references")  ? &m->references
                        : str_eq(field, "message_id")  ? &m->message_id
                        : str_eq(field, "lang")        ? &m->lang
                        : str_eq(field, "text")        ? &m->text
                                                       : &m->html;
    *slot = value;
}

static void test_build_rejects_injection(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    Buf out;
    buf_init(&out, &a);
    buf_puts(&out, "kept");
    for (size_t i = 0; i < sizeof INJECTIONS / sizeof INJECTIONS[0]; i++) {
        MailMessage m = base_message();
        assert_true(mail_build(&a, &m, NOW, &(Buf){.arena = &a}, NULL));
        set_field(&m, INJECTIONS[i].field, INJECTIONS[i].value);
        const char *id = "untouched";
        if (mail_build(&a, &m, NOW, &out, &id))
            fail_msg("accepted %s #%zu", INJECTIONS[i].field, i);
        assert_string_equal(out.data, "kept"); /* nothing half-written */
        assert_string_equal(id, "untouched");
    }
    arena_free(&a);
}

/* Whatever bytes a name or subject holds (but CR/LF), each header stays one logical line. */
static void test_build_encodes_control_characters(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    MailMessage m = base_message();
    m.subject = "tab\there, bell\a, escape\x1b[31m, del\x7f";
    m.to_name = "Eve\tBcc: victim@example.net";
    Buf out;
    buf_init(&out, &a);
    assert_true(mail_build(&a, &m, NOW, &out, NULL));
    Parsed p;
    parse_message(&a, out.data, out.len, &p);
    assert_null(header_get(&p, "Bcc"));
    for (const char *s = out.data; *s; s++)
        assert_true(*s == '\r' || *s == '\n' || (*s >= 0x20 && *s < 0x7f));
    assert_string_equal(decode_2047(&a, header_get(&p, "Subject")), m.subject);
    const char *name, *addr;
    decode_mailbox(&a, header_get(&p, "To"), &name, &addr);
    assert_string_equal(name, m.to_name);
    arena_free(&a);
}

/* ---- addresses ---- */

typedef struct AddressCase {
    const char *addr;
    bool valid;
} AddressCase;

#define L64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define D63 "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static const AddressCase ADDRESSES[] = {
    {"a@b.de", true},
    {"first.last+tag@sub.example.co.uk", true},
    {"x@localhost", true},
    {"x@LocalHost", true},
    {"o'brien@example.ie", true},
    {"x_y-z!#$%&*/=?^`{|}~@example.com", true},
    {"user@xn--mller-kva.de", true},
    {"user@123.example", true},
    {L64 "@example.com", true},
    {L64 "a@example.com", false}, /* local part 65 */
    {"a@" D63 "d.de", false},     /* label 64 */
    {"", false},
    {"a", false},
    {"@b.de", false},
    {"a@", false},
    {"a@b", false},
    {"a@localhost.", false},
    {"a b@c.de", false},
    {"a@b .de", false},
    {" a@b.de", false},
    {"a@b.de ", false},
    {"\"a\"@b.de", false},
    {"<a@b.de>", false},
    {"a@@b.de", false},
    {"a@b@c.de", false},
    {".a@b.de", false},
    {"a.@b.de", false},
    {"a..b@c.de", false},
    {"a@-b.de", false},
    {"a@b-.de", false},
    {"a@b..de", false},
    {"a@.b.de", false},
    {"a@b.de.", false},
    {"a@1.2.3.4", false},
    {"a@[1.2.3.4]", false},
    {"a@b_c.de", false},
    {"ä@b.de", false},
    {"a@bä.de", false},
    {"a\r\n@b.de", false},
    {"a@b.de\n", false},
    {"a\t@b.de", false},
    {"a(comment)@b.de", false},
    {"a,b@c.de", false},
};

static void test_address_valid(void **state)
{
    for (size_t i = 0; i < sizeof ADDRESSES / sizeof ADDRESSES[0]; i++)
        if (mail_address_valid(ADDRESSES[i].addr) != ADDRESSES[i].valid)
            fail_msg("mail_address_valid(\"%s\") should be %d", ADDRESSES[i].addr,
                     ADDRESSES[i].valid);
    assert_false(mail_address_valid(NULL));
}

/* An address of `total` bytes: 64-byte local part, domain of 63-byte labels and a rest. */
static char *address_of_length(Arena *a, size_t total)
{
    char *s = arena_alloc(a, total + 1);
    memset(s, 'd', total);
    memset(s, 'l', 64);
    s[64] = '@';
    for (size_t i = 65 + 63; i < total - 4; i += 64)
        s[i] = '.';
    memcpy(s + total - 3, ".de", 3);
    return s;
}

static void test_address_length_limits(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    assert_true(mail_address_valid(address_of_length(&a, 200)));
    assert_true(mail_address_valid(address_of_length(&a, 254)));
    assert_false(mail_address_valid(address_of_length(&a, 255)));
    assert_false(mail_address_valid(address_of_length(&a, 400)));
    arena_free(&a);
}

typedef struct MailboxCase {
    const char *mailbox;
    const char *name; /* NULL: rejected */
    const char *addr;
} MailboxCase;

static const MailboxCase MAILBOXES[] = {
    {"support@example.com", "", "support@example.com"},
    {"<support@example.com>", "", "support@example.com"},
    {"Support <support@example.com>", "Support", "support@example.com"},
    {"  Support Team   <support@example.com>  ", "Support Team", "support@example.com"},
    {"\"Team, \\\"Support\\\"\" <a@example.com>", "Team, \"Support\"", "a@example.com"},
    {"Müller <a@example.com>", "Müller", "a@example.com"},
    {"Support <support@example>", NULL, NULL},
    {"Support <a@b.de> x", NULL, NULL},
    {"Support\r\n <a@b.de>", NULL, NULL},
    {"Support <a@b.de, c@d.de>", NULL, NULL},
    {"", NULL, NULL},
};

static void test_mailbox_parse(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof MAILBOXES / sizeof MAILBOXES[0]; i++) {
        const char *name = NULL, *addr = NULL;
        bool ok = mail_mailbox_parse(&a, MAILBOXES[i].mailbox, &name, &addr);
        if (ok != (MAILBOXES[i].name != NULL))
            fail_msg("mail_mailbox_parse(\"%s\") gave %d", MAILBOXES[i].mailbox, ok);
        if (ok) {
            assert_string_equal(name, MAILBOXES[i].name);
            assert_string_equal(addr, MAILBOXES[i].addr);
        }
    }
    arena_free(&a);
}

/* ---- Maildir ---- */

static char temp_root[256];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Names of the files in dir (not . and ..), at most 16. */
static int list_dir(const char *dir, char names[16][256])
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || n >= 16)
            continue;
        snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static char *read_file(Arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    Buf b;
    buf_init(&b, a);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : (char *)"";
}

static const char *build_sample(Arena *a, size_t *len)
{
    MailMessage m = base_message();
    m.subject = "Maildir-Test für SUP-1";
    Buf out;
    buf_init(&out, a);
    assert_true(mail_build(a, &m, NOW, &out, NULL));
    *len = out.len;
    return out.data;
}

static void test_maildir_delivery(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    size_t len;
    const char *msg = build_sample(&a, &len);
    const char *dir = arena_printf(&a, "%s/maildir-direct", temp_root);
    Buf name, error;
    buf_init(&name, &a);
    buf_init(&error, &a);
    assert_int_equal(mail_maildir_deliver(dir, msg, len, &name, &error), MAIL_DELIVERED);
    char names[16][256];
    assert_int_equal(list_dir(arena_printf(&a, "%s/new", dir), names), 1);
    assert_string_equal(names[0], name.data);
    assert_int_equal(list_dir(arena_printf(&a, "%s/tmp", dir), names), 0);
    assert_int_equal(list_dir(arena_printf(&a, "%s/cur", dir), names), 0);
    size_t got_len;
    char *got = read_file(&a, arena_printf(&a, "%s/new/%s", dir, name.data), &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, msg, len);
    /* time.pid_random.host */
    assert_non_null(strchr(name.data, '_'));
    assert_null(strchr(name.data, '/'));
    assert_null(strchr(name.data, ':'));

    /* a second mail gets its own file */
    buf_clear(&name);
    assert_int_equal(mail_maildir_deliver(dir, msg, len, &name, &error), MAIL_DELIVERED);
    assert_int_equal(list_dir(arena_printf(&a, "%s/new", dir), names), 2);
    assert_string_not_equal(names[0], names[1]);
    arena_free(&a);
}

static void test_transport_maildir(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    size_t len;
    const char *msg = build_sample(&a, &len);
    const char *data = arena_printf(&a, "%s/data-new", temp_root); /* does not exist yet */
    Buf error;
    buf_init(&error, &a);
    assert_int_equal(mail_transport_deliver("maildir", data, "support@example.com",
                                            "kunde@example.org", msg, len, &error),
                     MAIL_DELIVERED);
    char names[16][256];
    assert_int_equal(list_dir(arena_printf(&a, "%s/mail/new", data), names), 1);
    size_t got_len;
    char *got = read_file(&a, arena_printf(&a, "%s/mail/new/%s", data, names[0]), &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, msg, len);

    /* an unwritable place is a temporary failure with a reason */
    buf_clear(&error);
    assert_int_equal(mail_maildir_deliver("/dev/null/mail", msg, len, NULL, &error),
                     MAIL_TEMPORARY_FAILURE);
    assert_true(str_starts_with(buf_cstr(&error), "maildir: "));
    /* a bad recipient never gets anywhere */
    buf_clear(&error);
    assert_int_equal(mail_transport_deliver("maildir", data, "support@example.com",
                                            "kunde@example.org\r\nX: y", msg, len, &error),
                     MAIL_PERMANENT_FAILURE);
    buf_clear(&error);
    assert_int_equal(mail_transport_deliver("carrier-pigeon", data, "support@example.com",
                                            "kunde@example.org", msg, len, &error),
                     MAIL_TEMPORARY_FAILURE);
    assert_int_equal(list_dir(arena_printf(&a, "%s/mail/new", data), names), 1);
    arena_free(&a);
}

/* ---- SMTP against aiosmtpd ---- */

static pid_t smtp_pid;
static int smtp_port;
static char smtp_sink[300];

static const char SINK_PY[] =
    "import os, itertools\n"
    "class Sink:\n"
    "    counter = itertools.count()\n"
    "    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):\n"
    "        if address.startswith('reject'):\n"
    "            return '550 5.1.1 mailbox unavailable'\n"
    "        if address.startswith('later'):\n"
    "            return '451 4.3.0 try again later'\n"
    "        envelope.rcpt_tos.append(address)\n"
    "        return '250 OK'\n"
    "    async def handle_DATA(self, server, session, envelope):\n"
    "        path = os.path.join(os.environ['PFORTE_SMTP_SINK'], '%d' % next(self.counter))\n"
    "        with open(path + '.env', 'w') as f:\n"
    "            f.write(envelope.mail_from + ' ' + ' '.join(envelope.rcpt_tos))\n"
    "        with open(path + '.tmp', 'wb') as f:\n"
    "            f.write(envelope.original_content)\n"
    "        os.rename(path + '.tmp', path + '.eml')\n"
    "        return '250 Message accepted for delivery'\n";

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static bool port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static void smtp_start(void)
{
    char py[300];
    snprintf(py, sizeof py, "%s/pforte_smtp_sink.py", temp_root);
    FILE *f = fopen(py, "w");
    assert_non_null(f);
    fputs(SINK_PY, f);
    fclose(f);
    snprintf(smtp_sink, sizeof smtp_sink, "%s/smtp-sink", temp_root);
    mkdir(smtp_sink, 0700);
    smtp_port = free_port();
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", smtp_port);
    smtp_pid = fork();
    assert_true(smtp_pid >= 0);
    if (smtp_pid == 0) {
        setenv("PYTHONPATH", temp_root, 1);
        setenv("PFORTE_SMTP_SINK", smtp_sink, 1);
        freopen("/dev/null", "w", stdout);
        execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l", listen, "-c",
              "pforte_smtp_sink.Sink", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !port_open(smtp_port); i++)
        usleep(50 * 1000);
    assert_true(port_open(smtp_port));
}

static void smtp_stop(void)
{
    if (smtp_pid > 0) {
        kill(smtp_pid, SIGTERM);
        waitpid(smtp_pid, NULL, 0);
        smtp_pid = 0;
    }
}

static MailDeliveryResult smtp_send(Arena *a, const char *url, const char *rcpt, Buf *error)
{
    size_t len;
    const char *msg = build_sample(a, &len);
    buf_clear(error);
    return mail_transport_deliver(url, temp_root, "support@example.com", rcpt, msg, len, error);
}

static void test_smtp_delivered(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    Buf error;
    buf_init(&error, &a);
    const char *url = arena_printf(&a, "smtp://127.0.0.1:%d", smtp_port);
    size_t len;
    const char *msg = build_sample(&a, &len);
    assert_int_equal(mail_transport_deliver(url, temp_root, "support@example.com",
                                            "kunde@example.org", msg, len, &error),
                     MAIL_DELIVERED);
    char names[16][256];
    assert_int_equal(list_dir(smtp_sink, names), 2); /* 0.eml and 0.env */
    size_t got_len, env_len;
    char *got = read_file(&a, arena_printf(&a, "%s/0.eml", smtp_sink), &got_len);
    char *env = read_file(&a, arena_printf(&a, "%s/0.env", smtp_sink), &env_len);
    assert_string_equal(env, "support@example.com kunde@example.org");
    assert_int_equal(got_len, len); /* byte for byte, dot-stuffing undone by the server */
    assert_memory_equal(got, msg, len);
    arena_free(&a);
}

static void test_smtp_rejections(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    Buf error;
    buf_init(&error, &a);
    const char *url = arena_printf(&a, "smtp://127.0.0.1:%d", smtp_port);
    assert_int_equal(smtp_send(&a, url, "reject@example.org", &error), MAIL_PERMANENT_FAILURE);
    assert_non_null(strstr(buf_cstr(&error), "550"));
    assert_int_equal(smtp_send(&a, url, "later@example.org", &error), MAIL_TEMPORARY_FAILURE);
    assert_non_null(strstr(buf_cstr(&error), "451"));
    /* implicit TLS against a plain server fails the handshake: try again later */
    const char *tls = arena_printf(&a, "smtps://127.0.0.1:%d", smtp_port);
    assert_int_equal(smtp_send(&a, tls, "kunde@example.org", &error), MAIL_TEMPORARY_FAILURE);
    char names[16][256];
    assert_int_equal(list_dir(smtp_sink, names), 2); /* still only the first test's mail */
    arena_free(&a);
}

static void test_smtp_closed_port(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    Buf error;
    buf_init(&error, &a);
    const char *url = arena_printf(&a, "smtp://mailer:S3cr%%21tPw@127.0.0.1:%d", free_port());
    double start = clock_mono_ms();
    assert_int_equal(smtp_send(&a, url, "kunde@example.org", &error), MAIL_TEMPORARY_FAILURE);
    assert_true(str_starts_with(buf_cstr(&error), "smtp: "));
    assert_null(strstr(buf_cstr(&error), "S3cr"));    /* no credentials in the error */
    assert_null(strstr(buf_cstr(&error), "Maildir")); /* nor the message */
    assert_true(clock_mono_ms() - start < 5000);      /* refused at once, not a timeout */
    arena_free(&a);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-mail-XXXXXX");
    if (!mkdtemp(temp_root))
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    smtp_stop();
    remove_tree(temp_root);
    return 0;
}

static int smtp_setup(void **state)
{
    if (!smtp_pid)
        smtp_start();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_round_trips),
        cmocka_unit_test(test_build_optional_headers),
        cmocka_unit_test(test_build_boundary_is_random_and_quoted),
        cmocka_unit_test(test_build_encoding_choices),
        cmocka_unit_test(test_build_rejects_injection),
        cmocka_unit_test(test_build_encodes_control_characters),
        cmocka_unit_test(test_address_valid),
        cmocka_unit_test(test_address_length_limits),
        cmocka_unit_test(test_mailbox_parse),
        cmocka_unit_test(test_maildir_delivery),
        cmocka_unit_test(test_transport_maildir),
        cmocka_unit_test_setup(test_smtp_delivered, smtp_setup),
        cmocka_unit_test_setup(test_smtp_rejections, smtp_setup),
        cmocka_unit_test(test_smtp_closed_port),
    };
    return cmocka_run_group_tests_name("mail", tests, group_setup, group_teardown);
}
