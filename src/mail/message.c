/* message: RFC 5322 / MIME writer for outgoing mail - headers folded under 78 columns, RFC 2047
 * encoded words for non-ASCII text, quoted-printable UTF-8 bodies, multipart/alternative when
 * there is HTML. Must never let caller text end a header line.
 * SECURITY: header injection - values with CR/LF/NUL are rejected before anything is written;
 * names and subjects go out only as atoms, quoted strings or encoded words. */
#include "mail/message.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include <sodium.h>
#include <string.h>

enum {
    HEADER_FOLD_AT = 78,   /* fold before a word that would pass this column */
    ENCODED_WORD_MAX = 66, /* "=?UTF-8?Q?...?=" incl. delimiters; fits after "Reply-To: " */
    QP_LINE_MAX = 76,      /* RFC 2045 line limit including the soft break '=' */
    MESSAGE_ID_MAX = 250,
    REFERENCES_MAX = 8000,
    LANG_MAX = 35,
};

static const char ATEXT_EXTRA[] = "!#$%&'*+-/=?^_`{|}~";
static const char HEX[] = "0123456789ABCDEF";

/* ---- small predicates ---- */

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_atext(unsigned char c)
{
    return is_alnum(c) || (c && strchr(ATEXT_EXTRA, c));
}

static bool has_line_break(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* Printable ASCII words separated by single spaces, none longer than an encoded word and no
 * "=?" (which a reader would take for the start of an encoded word). */
static bool is_plain_words(const char *s, bool atoms_only)
{
    size_t word = 0;
    if (*s == ' ' || strstr(s, "=?"))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ') {
            if (p[1] == ' ' || p[1] == '\0')
                return false;
            word = 0;
            continue;
        }
        if (*p < 0x21 || *p > 0x7e || (atoms_only && !is_atext(*p)))
            return false;
        if (++word > ENCODED_WORD_MAX)
            return false;
    }
    return true;
}

/* ---- addresses ---- */

static bool local_part_valid(const char *s, size_t n)
{
    if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' ? s[i + 1] == '.' : !is_atext(c))
            return false;
    }
    return true;
}

static bool domain_valid(const char *s, size_t n)
{
    if (n == 0 || n > 255)
        return false;
    size_t label = 0, dots = 0;
    bool last_label_numeric = true;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return false;
            if (i < n) {
                dots++;
                label = 0;
                last_label_numeric = true;
            }
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (!(is_alnum(c) || c == '-') || (label == 0 && c == '-'))
            return false;
        if (!(c >= '0' && c <= '9'))
            last_label_numeric = false;
        label++;
    }
    if (last_label_numeric)
        return false; /* 10.0.0.1 is not a domain; address literals are not accepted */
    return dots > 0 || (n == 9 && strncasecmp(s, "localhost", 9) == 0);
}

bool mail_address_valid(const char *addr)
{
    if (!addr)
        return false;
    size_t n = strlen(addr);
    const char *at = strchr(addr, '@');
    if (n == 0 || n > 254 || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - addr);
    return local_part_valid(addr, local) && domain_valid(at + 1, n - local - 1);
}

static const char *unquote_name(Arena *a, const char *s, size_t n)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return arena_strndup(a, s, n);
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        buf_putc(&b, s[i]);
    }
    return b.data;
}

bool mail_mailbox_parse(Arena *a, const char *mailbox, const char **name, const char **addr)
{
    if (!mailbox || has_control(mailbox) || !str_utf8_valid(mailbox, strlen(mailbox)))
        return false;
    const char *s = str_trim(a, mailbox);
    size_t n = strlen(s);
    const char *open = strrchr(s, '<');
    if (n && s[n - 1] == '>' && open) {
        const char *address = arena_strndup(a, open + 1, (size_t)(s + n - 1 - (open + 1)));
        const char *display = str_trim(a, arena_strndup(a, s, (size_t)(open - s)));
        *name = unquote_name(a, display, strlen(display));
        *addr = address;
    } else {
        *name = "";
        *addr = s;
    }
    return mail_address_valid(*addr);
}

/* ---- header writing with folding ---- */

typedef struct HeaderLine {
    Buf *out;
    Arena *arena;
    size_t col;        /* columns used on the current physical line */
    bool word_on_line; /* something after the name (or the fold) already */
} HeaderLine;

static void header_start(HeaderLine *h, Buf *out, Arena *a, const char *name)
{
    h->out = out;
    h->arena = a;
    buf_puts(out, name);
    buf_putc(out, ':');
    h->col = strlen(name) + 1;
    h->word_on_line = false;
}

/* Appends " word", folding first when the word would pass the fold column. */
static void header_word(HeaderLine *h, const char *w, size_t n)
{
    if (h->word_on_line && h->col + 1 + n > HEADER_FOLD_AT) {
        buf_puts(h->out, "\r\n");
        h->col = 0;
    }
    buf_putc(h->out, ' ');
    buf_append(h->out, w, n);
    h->col += 1 + n;
    h->word_on_line = true;
}

static void header_end(HeaderLine *h)
{
    buf_puts(h->out, "\r\n");
}

/* Emits each space-separated word of s (s is known to have single spaces only). */
static void header_words(HeaderLine *h, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, " ");
        if (n)
            header_word(h, s, n);
        s += n;
        while (*s == ' ')
            s++;
    }
}

static void header_simple(Buf *out, Arena *a, const char *name, const char *value)
{
    HeaderLine h;
    header_start(&h, out, a, name);
    header_words(&h, value);
    header_end(&h);
}

/* ---- RFC 2047 encoded words ---- */

/* Characters RFC 2047 5(3) allows literally in Q words: safe in phrases and subjects alike. */
static bool q_literal(unsigned char c)
{
    return is_alnum(c) || (c && strchr("!*+-/", c));
}

static size_t q_cost(unsigned char c)
{
    return q_literal(c) || c == ' ' ? 1 : 3;
}

static size_t utf8_char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static void encoded_word_emit(HeaderLine *h, const char *s, size_t n, bool base64)
{
    Buf w;
    buf_init(&w, h->arena);
    buf_puts(&w, base64 ? "=?UTF-8?B?" : "=?UTF-8?Q?");
    if (base64) {
        size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
        buf_reserve(&w, cap);
        sodium_bin2base64(w.data + w.len, cap, (const unsigned char *)s, n,
                          sodium_base64_VARIANT_ORIGINAL);
        w.len += strlen(w.data + w.len);
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (q_literal(c) || c == ' ') {
                buf_putc(&w, c == ' ' ? '_' : (char)c);
            } else {
                buf_putc(&w, '=');
                buf_putc(&w, HEX[c >> 4]);
                buf_putc(&w, HEX[c & 15]);
            }
        }
    }
    buf_puts(&w, "?=");
    header_word(h, w.data, w.len);
}

/* Encodes all of s (valid UTF-8) as encoded words, split only between characters; Q for
 * mostly-Latin text, B when that is shorter. Readers drop the space between encoded words,
 * so the text comes back byte for byte. */
static void header_encoded_words(HeaderLine *h, const char *s)
{
    size_t n = strlen(s), q_total = 0;
    for (size_t i = 0; i < n; i++)
        q_total += q_cost((unsigned char)s[i]);
    bool base64 = q_total > (n + 2) / 3 * 4;
    size_t payload = ENCODED_WORD_MAX - 12;            /* minus "=?UTF-8?Q?" and "?=" */
    size_t limit = base64 ? payload / 4 * 3 : payload; /* input bytes for B, output for Q */
    size_t start = 0, used = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char_len((unsigned char)s[i]), cost = 0;
        for (size_t k = 0; k < len; k++)
            cost += base64 ? 1 : q_cost((unsigned char)s[i + k]);
        if (used + cost > limit) {
            encoded_word_emit(h, s + start, i - start, base64);
            start = i;
            used = 0;
        }
        used += cost;
        i += len;
    }
    if (n > start)
        encoded_word_emit(h, s + start, n - start, base64);
}

/* A display name: atoms as they are, other ASCII quoted, anything else encoded. */
static void header_phrase(HeaderLine *h, const char *name)
{
    if (!*name)
        return;
    if (is_plain_words(name, true)) {
        header_words(h, name);
    } else if (is_plain_words(name, false) && strlen(name) <= 60) {
        Buf q;
        buf_init(&q, h->arena);
        buf_putc(&q, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(&q, '\\');
            buf_putc(&q, *p);
        }
        buf_putc(&q, '"');
        header_word(h, q.data, q.len);
    } else {
        header_encoded_words(h, name);
    }
}

static void header_mailbox(Buf *out, Arena *a, const char *header, const char *name,
                           const char *addr)
{
    HeaderLine h;
    header_start(&h, out, a, header);
    header_phrase(&h, name);
    const char *word = *name ? arena_printf(a, "<%s>", addr) : addr;
    header_word(&h, word, strlen(word));
    header_end(&h);
}

static void header_subject(Buf *out, Arena *a, const char *subject)
{
    HeaderLine h;
    header_start(&h, out, a, "Subject");
    if (is_plain_words(subject, false))
        header_words(&h, subject);
    else
        header_encoded_words(&h, subject);
    header_end(&h);
}

/* ---- checking the caller's values ---- */

typedef struct Prepared {
    const char *from_name, *from_addr;
    const char *reply_name, *reply_addr; /* reply_addr NULL when there is no Reply-To */
    const char *message_id;              /* with angle brackets */
    const char *boundary;                /* NULL for a text-only message */
} Prepared;

static bool header_text_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return s && n <= MAIL_MAX_HEADER_TEXT && !has_line_break(s) && str_utf8_valid(s, n);
}

static bool ascii_value_ok(const char *s, size_t max, const char *extra_banned)
{
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || strchr(extra_banned, s[i]))
            return false;
    return true;
}

static bool lang_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LANG_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

/* Accepts "<left@right>" or "left@right" of visible ASCII without specials; or makes one. */
static bool message_id_prepare(Arena *a, const char *given, const char *from_addr, const char **out)
{
    if (!given) {
        unsigned char random[16];
        randombytes_buf(random, sizeof random);
        *out = arena_printf(a, "<%s@%s>", str_hex(a, random, sizeof random),
                            strchr(from_addr, '@') + 1);
        return true;
    }
    size_t n = strlen(given);
    if (n >= 2 && given[0] == '<' && given[n - 1] == '>') {
        given++;
        n -= 2;
    }
    const char *at = memchr(given, '@', n);
    if (n == 0 || n > MESSAGE_ID_MAX || !at || at == given || at == given + n - 1 ||
        memchr(at + 1, '@', (size_t)(given + n - at - 1)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (given[i] < 0x21 || given[i] > 0x7e || strchr("<>\"\\()[],;:", given[i]))
            return false;
    *out = arena_printf(a, "<%.*s>", (int)n, given);
    return true;
}

/* Returns the name of the first unacceptable field, or NULL when p is filled in. */
static const char *message_check(Arena *a, const MailMessage *m, Prepared *p)
{
    memset(p, 0, sizeof *p);
    if (!mail_mailbox_parse(a, m->from, &p->from_name, &p->from_addr))
        return "from";
    if (!mail_address_valid(m->to))
        return "to";
    if (m->to_name && !header_text_ok(m->to_name))
        return "to_name";
    if (m->reply_to && !mail_mailbox_parse(a, m->reply_to, &p->reply_name, &p->reply_addr))
        return "reply_to";
    if (!header_text_ok(m->subject))
        return "subject";
    if (!m->text || !str_utf8_valid(m->text, strlen(m->text)))
        return "text";
    if (m->html && !str_utf8_valid(m->html, strlen(m->html)))
        return "html";
    if (m->in_reply_to && !ascii_value_ok(m->in_reply_to, MESSAGE_ID_MAX + 2, ""))
        return "in_reply_to";
    if (m->references && !ascii_value_ok(m->references, REFERENCES_MAX, ""))
        return "references";
    if (m->lang && !lang_valid(m->lang))
        return "lang";
    if (!message_id_prepare(a, m->message_id, p->from_addr, &p->message_id))
        return "message_id";
    return NULL;
}

/* ---- writing ---- */

static void write_headers(Buf *out, Arena *a, const MailMessage *m, const Prepared *p, int64_t now)
{
    char date[40];
    clock_format_rfc5322(now, date);
    header_simple(out, a, "Date", date);
    header_mailbox(out, a, "From", p->from_name, p->from_addr);
    header_mailbox(out, a, "To", m->to_name ? m->to_name : "", m->to);
    if (p->reply_addr)
        header_mailbox(out, a, "Reply-To", p->reply_name, p->reply_addr);
    header_subject(out, a, m->subject);
    header_simple(out, a, "Message-ID", p->message_id);
    if (!str_empty(m->in_reply_to))
        header_simple(out, a, "In-Reply-To", m->in_reply_to);
    if (!str_empty(m->references))
        header_simple(out, a, "References", m->references);
    /* X-Pforte marks the portal's own mail: mail-in refuses to file it (loops) */
    buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\nX-Pforte: 1\r\n");
    if (!str_empty(m->lang))
        header_simple(out, a, "Content-Language", m->lang);
}

/* Quoted-printable with CRLF for every line break of s (CRLF, LF or CR). Lines stay within 76
 * columns; '=' never starts "=_", which is why the boundary "=_..." cannot occur in a body.
 * A leading "." or "From " is encoded too, for relays and mbox files that mangle them. */
/* Whether quoted-printable writes p[0] as it is (RFC 2045 6.7 (2), (3)): printable ASCII
 * but '=', and blanks that do not end a line. */
static bool qp_literal(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c >= 0x21 && c <= 0x7e)
        return c != '=';
    return (c == ' ' || c == '\t') && p[1] != '\0' && p[1] != '\r' && p[1] != '\n';
}

/* Quoted-printable with CRLF line ends; writes straight into out (room reserved up front:
 * at most 3 bytes per input byte plus a 3-byte soft break per 24 of them). */
static void qp_encode(Buf *out, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(out, 4 * n + 8);
    char *w = out->data + out->len;
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        bool literal = qp_literal(p);
        if (literal && col > 0 && col < QP_LINE_MAX - 1) { /* a run that fits the line */
            size_t run = 1, room = QP_LINE_MAX - 1 - col;
            while (run < room && qp_literal(p + run))
                run++;
            memcpy(w, p, run);
            w += run;
            col += run;
            p += run - 1;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && p[1] == '\n')
                p++;
            *w++ = '\r';
            *w++ = '\n';
            col = 0;
            continue;
        }
        if (col + (literal ? 1 : 3) > QP_LINE_MAX - 1) {
            memcpy(w, "=\r\n", 3);
            w += 3;
            col = 0;
        }
        if (col == 0 && (c == '.' || (c == 'F' && strncmp((const char *)p, "From ", 5) == 0)))
            literal = false;
        if (literal) {
            *w++ = (char)c;
            col++;
        } else {
            *w++ = '=';
            *w++ = HEX[c >> 4];
            *w++ = HEX[c & 15];
            col += 3;
        }
    }
    out->len = (size_t)(w - out->data);
    *w = '\0';
}

static void write_part(Buf *out, const char *subtype, const char *body)
{
    buf_printf(out,
               "Content-Type: text/%s; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               subtype);
    qp_encode(out, body);
    buf_puts(out, "\r\n");
}

static void write_body(Buf *out, Arena *a, const MailMessage *m, const char *boundary)
{
    if (!boundary) {
        write_part(out, "plain", m->text);
        return;
    }
    HeaderLine h;
    header_start(&h, out, a, "Content-Type");
    header_words(&h, arena_printf(a, "multipart/alternative; boundary=\"%s\"", boundary));
    header_end(&h);
    buf_printf(out, "\r\n--%s\r\n", boundary);
    write_part(out, "plain", m->text);
    buf_printf(out, "--%s\r\n", boundary);
    write_part(out, "html", m->html);
    buf_printf(out, "--%s--\r\n", boundary);
}

bool mail_build(Arena *a, const MailMessage *m, int64_t now, Buf *out, const char **message_id_out)
{
    if (sodium_init() < 0) {
        log_error("event=mail_rejected reason=sodium_init_failed");
        return false;
    }
    Prepared p;
    const char *bad = message_check(a, m, &p);
    if (bad) {
        log_warn("event=mail_rejected field=%s", bad); /* never the value: may hold a token */
        return false;
    }
    if (m->html) {
        unsigned char random[16];
        randombytes_buf(random, sizeof random);
        p.boundary = arena_printf(a, "=_%s", str_hex(a, random, sizeof random));
    }
    write_headers(out, a, m, &p, now);
    write_body(out, a, m, p.boundary);
    if (message_id_out)
        *message_id_out = p.message_id;
    return true;
}
