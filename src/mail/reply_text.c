/* reply_text: line-based heuristics for the reply part of a mail, for the clients customers
 * use: Outlook (German and English), Gmail, Apple Mail, Thunderbird, and phones. A marker
 * only counts after some text of the reply itself, so a mail that starts with a quote keeps
 * the interleaved answers below it. */
#include "mail/reply_text.h"
#include "core/str.h"
#include <ctype.h>
#include <string.h>

typedef struct Line {
    const char *s;
    size_t n; /* without the line end */
} Line;

static bool line_blank(Line l)
{
    for (size_t i = 0; i < l.n; i++)
        if (!isspace((unsigned char)l.s[i]))
            return false;
    return true;
}

/* The line without leading spaces (and "*" bold marks some clients turn <b> into). */
static Line line_lstrip(Line l)
{
    while (l.n && (l.s[0] == ' ' || l.s[0] == '\t' || l.s[0] == '*')) {
        l.s++;
        l.n--;
    }
    while (l.n && (l.s[l.n - 1] == ' ' || l.s[l.n - 1] == '\t' || l.s[l.n - 1] == '\r'))
        l.n--;
    return l;
}

static bool line_starts(Line l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l.n >= n && strncasecmp(l.s, prefix, n) == 0;
}

static bool line_has(Line l, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= l.n; i++)
        if (strncasecmp(l.s + i, word, n) == 0)
            return true;
    return false;
}

static bool line_ends(Line l, const char *suffix)
{
    size_t n = strlen(suffix);
    return l.n >= n && strncasecmp(l.s + l.n - n, suffix, n) == 0;
}

static bool line_is_quote(Line l)
{
    Line t = line_lstrip(l);
    return t.n && t.s[0] == '>';
}

/* "Am 30.11.2026 um 10:00 schrieb X:", "On Mon, 30 Nov 2026, X wrote:" - clients wrap long
 * ones, so the words may spread over up to three lines ending in ':'. */
static bool attribution_at(const Line *lines, int count, int i)
{
    Line first = line_lstrip(lines[i]);
    bool de = line_starts(first, "Am ");
    bool en = line_starts(first, "On ");
    if (!de && !en)
        return false;
    for (int k = i; k < count && k < i + 3; k++) {
        Line l = line_lstrip(lines[k]);
        if (k > i && line_blank(l))
            return false;
        bool verb = de ? line_has(l, "schrieb") : line_has(l, "wrote");
        if (verb) {
            for (int m = k; m < count && m < k + 2; m++)
                if (line_ends(line_lstrip(lines[m]), ":"))
                    return true;
            return false;
        }
    }
    return false;
}

/* Outlook's header block: "From:/Von:" followed by "Sent:/Gesendet:/Date:/Datum:" soon. */
static bool outlook_block_at(const Line *lines, int count, int i)
{
    Line l = line_lstrip(lines[i]);
    if (!line_starts(l, "From:") && !line_starts(l, "Von:"))
        return false;
    for (int k = i + 1; k < count && k < i + 4; k++) {
        Line m = line_lstrip(lines[k]);
        if (line_starts(m, "Sent:") || line_starts(m, "Gesendet:") || line_starts(m, "Date:") ||
            line_starts(m, "Datum:"))
            return true;
    }
    return false;
}

static bool separator_at(const Line *lines, int count, int i)
{
    Line l = line_lstrip(lines[i]);
    if (line_starts(l, "-----") &&
        (line_has(l, "Original Message") || line_has(l, "Ursprüngliche Nachricht") ||
         line_has(l, "Original-Nachricht") || line_has(l, "Originalnachricht")))
        return true;
    /* Outlook's "________________________________" line above the header block */
    if (l.n >= 20 && l.s[0] == '_' && strspn(l.s, "_") >= l.n)
        return i + 1 < count && outlook_block_at(lines, count, i + 1);
    return false;
}

static bool signature_at(const Line *lines, int i)
{
    Line raw = lines[i];
    while (raw.n && raw.s[raw.n - 1] == '\r')
        raw.n--;
    if ((raw.n == 3 && strncmp(raw.s, "-- ", 3) == 0) ||
        (raw.n == 2 && strncmp(raw.s, "--", 2) == 0))
        return true;
    Line l = line_lstrip(raw);
    return line_starts(l, "Sent from my ") || line_starts(l, "Von meinem ") ||
           line_starts(l, "Gesendet von meinem ") || line_starts(l, "Gesendet von iPhone") ||
           line_starts(l, "Get Outlook for ") || line_starts(l, "Outlook für ");
}

static int split_lines(Arena *a, const char *text, Line **out)
{
    int count = 1;
    for (const char *p = text; *p; p++)
        count += *p == '\n';
    Line *lines = arena_alloc(a, sizeof *lines * (size_t)count);
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len && p[len - 1] == '\r')
            len--;
        lines[n++] = (Line){p, len};
        if (!nl)
            break;
        p = nl + 1;
    }
    *out = lines;
    return n;
}

const char *reply_text_cut(Arena *a, const char *text, bool keep_quotes)
{
    Line *lines;
    int count = split_lines(a, text ? text : "", &lines);
    int end = count;
    bool seen_text = false;
    for (int i = 0; i < count; i++) {
        bool quote = line_is_quote(lines[i]);
        if (seen_text && signature_at(lines, i)) {
            end = i;
            break;
        }
        if (!keep_quotes && (attribution_at(lines, count, i) || separator_at(lines, count, i) ||
                             (seen_text && outlook_block_at(lines, count, i)))) {
            end = i;
            break;
        }
        if (!quote && !line_blank(lines[i]))
            seen_text = true;
    }
    /* quoted lines (and blank ones) at the end belong to the original */
    while (!keep_quotes && end > 0 && (line_is_quote(lines[end - 1]) || line_blank(lines[end - 1])))
        end--;
    int start = 0;
    while (start < end && line_blank(lines[start]))
        start++;
    if (start >= end)
        return "";
    size_t from = (size_t)(lines[start].s - lines[0].s);
    size_t to = (size_t)(lines[end - 1].s + lines[end - 1].n - lines[0].s);
    /* rebuild with "\n" line ends only */
    char *out = arena_alloc(a, to - from + 1);
    size_t w = 0;
    for (int i = start; i < end; i++) {
        memcpy(out + w, lines[i].s, lines[i].n);
        w += lines[i].n;
        while (w && (out[w - 1] == ' ' || out[w - 1] == '\t'))
            w--;
        if (i + 1 < end)
            out[w++] = '\n';
    }
    out[w] = '\0';
    return str_trim(a, out);
}

/* Length of a reply/forward prefix at s ("Re:", "AW: ", "Fwd:", "[EXT]"), 0 when none. */
static size_t prefix_len(const char *s, bool *forward)
{
    static const char *const REPLY[] = {"re", "aw", "antw", "sv", "vs", "odp", NULL};
    static const char *const FORWARD[] = {"fwd", "fw", "wg", "wtr", "tr", "enc", NULL};
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close && (strncasecmp(s, "[EXT", 4) == 0 || strncasecmp(s, "[EXTERN", 7) == 0))
            return (size_t)(close - s) + 1;
        return 0;
    }
    size_t n = 0;
    while (isalpha((unsigned char)s[n]) && n < 5)
        n++;
    size_t m = n;
    if (s[m] == '[') { /* "Re[2]:" */
        while (s[m] && s[m] != ']' && m < n + 5)
            m++;
        m += s[m] == ']';
    }
    if (!n || (s[m] != ':' && strncmp(s + m, "\xEF\xBC\x9A", 3) != 0))
        return 0;
    for (int i = 0; FORWARD[i]; i++)
        if (strlen(FORWARD[i]) == n && strncasecmp(s, FORWARD[i], n) == 0) {
            *forward = true;
            return m + (s[m] == ':' ? 1 : 3);
        }
    for (int i = 0; REPLY[i]; i++)
        if (strlen(REPLY[i]) == n && strncasecmp(s, REPLY[i], n) == 0)
            return m + (s[m] == ':' ? 1 : 3);
    return 0;
}

static const char *strip_prefixes(const char *s, bool *forward, bool first_only)
{
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        bool fwd = false;
        size_t n = prefix_len(s, &fwd);
        if (!n)
            return s;
        if (fwd)
            *forward = true;
        s += n;
        if (first_only)
            return s;
    }
}

bool reply_subject_is_forward(const char *subject)
{
    bool forward = false;
    strip_prefixes(subject ? subject : "", &forward, false);
    return forward;
}

const char *reply_subject_clean(Arena *a, const char *subject)
{
    bool forward = false;
    return str_trim(a, strip_prefixes(subject ? subject : "", &forward, false));
}
