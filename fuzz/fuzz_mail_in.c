/* fuzz_mail_in: the inbound mail parser (GMime walk, charsets, HTML to text) and the reply
 * cutter on arbitrary bytes. Whatever the input, every string handed out must be valid UTF-8,
 * counts must stay within the parser's bounds, and nothing may crash or leak. */
#include "core/arena.h"
#include "core/str.h"
#include "mail/html_text.h"
#include "mail/inbound.h"
#include "mail/reply_text.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_utf8(const char *s)
{
    if (!s || !str_utf8_valid(s, strlen(s)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 16384);
    InboundMail m;
    const char *problem = NULL;
    if (inbound_parse(&a, (const char *)data, size, &m, &problem)) {
        check_utf8(m.from_addr);
        check_utf8(m.from_name);
        check_utf8(m.subject);
        check_utf8(m.message_id);
        check_utf8(m.text);
        if (m.recipient_count > INBOUND_MAX_RECIPIENTS ||
            m.reference_count > INBOUND_MAX_REFERENCES || m.file_count > INBOUND_MAX_FILES)
            abort();
        for (int i = 0; i < m.recipient_count; i++)
            check_utf8(m.recipients[i]);
        for (int i = 0; i < m.reference_count; i++)
            check_utf8(m.references[i]);
        for (int i = 0; i < m.file_count; i++)
            check_utf8(m.files[i].filename);
        check_utf8(reply_text_cut(&a, m.text, false));
        check_utf8(reply_subject_clean(&a, m.subject));
    }
    /* the same bytes as an HTML body and as plain text */
    const char *text = html_to_text(&a, (const char *)data, size);
    check_utf8(text);
    char *copy = arena_strndup(&a, (const char *)data, size);
    if (str_utf8_valid(copy, strlen(copy)))
        check_utf8(reply_text_cut(&a, copy, false));
    arena_free(&a);
    return 0;
}
