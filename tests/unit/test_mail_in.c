/* test_mail_in: the pure parts of replies by e-mail - HTML to text, cutting quotes and
 * signatures, subject prefixes - table-driven, and the GMime parser on hand-made messages
 * (charsets, encodings, multipart choice, attachments, automatic-mail signs). */
#include "core/arena.h"
#include "core/str.h"
#include "mail/html_text.h"
#include "mail/inbound.h"
#include "mail/reply_text.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct Case {
    const char *in, *out;
} Case;

static void test_html_to_text(void **state)
{
    static const Case CASES[] = {
        {"<p>Hallo</p><p>Welt</p>", "Hallo\n\nWelt"},
        {"a<br>b<br/>c", "a\nb\nc"},
        {"  viel   \n  Leerraum  ", "viel Leerraum"},
        {"&auml;&ouml;&uuml; &szlig; &euro; &#228; &#x20AC; &amp;lt;", "äöü ß € ä € &lt;"},
        {"&#150; &#128;", "– €"}, /* Windows-1252 numbers, as browsers read them */
        {"x<script>alert(1)</script>y<style>p{}</style>z", "xyz"},
        {"<head><title>T</title></head><body>Text</body>", "Text"},
        {"<html><head><meta charset=utf-8><body>ohne Kopfende</body>", "ohne Kopfende"},
        {"<ul><li>eins</li><li>zwei</li></ul>", "- eins\n- zwei"},
        {"vorher<blockquote>alt<br>älter</blockquote>nachher", "vorher\n> alt\n> älter\nnachher"},
        {"<a href=\"https://example.com/x\">Link</a>", "Link (https://example.com/x)"},
        {"<a href=\"mailto:a@example.com\">a@example.com</a>", "a@example.com"},
        {"<a href=\"javascript:alert(1)\">klick</a>", "klick"},
        {"<pre>  a\n    b</pre>", "  a\n    b"}, /* pre keeps its spaces */
        {"1 < 2 &unknown; <!-- comment --> ok", "1 < 2 &unknown; ok"},
        {"<img src=x alt=\"Logo\">", "Logo"},
        {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
        {"<p>unclosed <b>bold", "unclosed bold"},
        {"\xff<p>x</p>", "\xef\xbf\xbd\n\nx"},
    };
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char *got = html_to_text(&a, CASES[i].in, strlen(CASES[i].in));
        if (!str_eq(got, CASES[i].out))
            fail_msg("html %zu: \"%s\" gave \"%s\", want \"%s\"", i, CASES[i].in, got,
                     CASES[i].out);
    }
    arena_free(&a);
}

static void test_reply_cut(void **state)
{
    static const Case CASES[] = {
        {"Neu.\n\nAm 30.11.26 um 09:58 schrieb Support:\n> alt", "Neu."},
        {"Neu.\n\nAm Mo., 30. Nov. 2026 um 10:00 Uhr schrieb Support <\nsupport@x.example>:\n> alt",
         "Neu."},
        {"New.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <s@x.example> wrote:\n> old", "New."},
        {"New.\nOn Mon, Nov 30, 2026 at 10:00 AM Support <\ns@x.example> wrote:\n\n> old", "New."},
        {"Neu.\n\n-----Ursprüngliche Nachricht-----\nVon: S\nGesendet: heute\n\nalt", "Neu."},
        {"New.\n\n-----Original Message-----\nFrom: S\nSent: today\n\nold", "New."},
        {"New.\n\n________________________________\nFrom: S <s@x>\nSent: Monday\nTo: C\n\nold",
         "New."},
        {"Neu.\n\nVon: Support <s@x>\nGesendet: Montag\nAn: C\nBetreff: x\n\nalt", "Neu."},
        {"Neu.\n\n-- \nCarla\nFirma", "Neu."},
        {"Neu.\n\nVon meinem iPhone gesendet", "Neu."},
        {"Neu.\r\n\r\n> zitiert\r\n> mehr\r\n", "Neu."},
        /* interleaved answers below a quote stay */
        {"> Frage 1?\nAntwort 1.\n> Frage 2?\nAntwort 2.",
         "> Frage 1?\nAntwort 1.\n> Frage 2?\nAntwort 2."},
        /* a marker before any own text is no cut: the text would be lost */
        {"-- \nNur Signatur?", "--\nNur Signatur?"}, /* trailing blanks go */
        {"Am Montag geht es weiter.\nDanke!", "Am Montag geht es weiter.\nDanke!"},
        {"  \n\n  Hallo  \n\n", "Hallo"},
        {"> nur Zitat", ""},
        {"", ""},
    };
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char *got = reply_text_cut(&a, CASES[i].in, false);
        if (!str_eq(got, CASES[i].out))
            fail_msg("cut %zu: \"%s\" gave \"%s\", want \"%s\"", i, CASES[i].in, got, CASES[i].out);
    }
    /* a forward keeps what it forwards; only the signature goes */
    const char *fwd =
        "Bitte ansehen.\n\n-----Original Message-----\nFrom: X\nSent: Y\n\nInhalt\n-- \nE";
    assert_string_equal(reply_text_cut(&a, fwd, true),
                        "Bitte ansehen.\n\n-----Original Message-----\nFrom: X\nSent: Y\n\nInhalt");
    arena_free(&a);
}

static void test_subjects(void **state)
{
    static const Case CLEAN[] = {
        {"Re: AW: WG: Frage", "Frage"}, {"RE[2]: Frage", "Frage"},
        {"[EXT] Re: Frage", "Frage"},   {"Fwd: Fw: Frage", "Frage"},
        {"Antw: Frage", "Frage"},       {"Retour: Frage", "Retour: Frage"},
        {"  Frage  ", "Frage"},         {"Re:", ""},
    };
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof CLEAN / sizeof CLEAN[0]; i++)
        assert_string_equal(reply_subject_clean(&a, CLEAN[i].in), CLEAN[i].out);
    assert_true(reply_subject_is_forward("WG: Rechnung"));
    assert_true(reply_subject_is_forward("Re: Fwd: Rechnung"));
    assert_false(reply_subject_is_forward("Re: Rechnung"));
    assert_false(reply_subject_is_forward("Fwdx: Rechnung"));
    arena_free(&a);
}

static InboundMail parse(Arena *a, const char *text)
{
    InboundMail m;
    const char *problem = NULL;
    if (!inbound_parse(a, text, strlen(text), &m, &problem))
        fail_msg("not parsed: %s", problem);
    return m;
}

static void test_inbound_parse(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    InboundMail m =
        parse(&a, "From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <J.Mueller@Example.COM>\n"
                  "To: a@x.example, Gruppe: b@x.example, c@x.example;\n"
                  "Cc: d@x.example\nDelivered-To: e+tok@x.example\n"
                  "Subject: =?UTF-8?B?w5xiZXI=?= Stra\xdf"
                  "e\n"
                  "Message-ID: <id1@x>\nIn-Reply-To: <p1@x>\nReferences: <r1@x> <p1@x>\n"
                  "Content-Type: text/plain; charset=iso-8859-1\n"
                  "Content-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe=\n!\n");
    assert_string_equal(m.from_addr, "j.mueller@example.com");
    assert_string_equal(m.from_name, "Jürgen Müller");
    assert_int_equal(m.recipient_count, 5);
    assert_string_equal(m.recipients[1], "b@x.example");
    assert_string_equal(m.recipients[4], "e+tok@x.example");
    assert_true(str_utf8_valid(m.subject, strlen(m.subject)));
    assert_true(str_starts_with(m.subject, "Über Stra"));
    assert_string_equal(m.message_id, "<id1@x>");
    assert_int_equal(m.reference_count, 3);
    assert_string_equal(m.references[0], "<p1@x>");
    assert_string_equal(m.text, "Grüße!\n");
    assert_false(m.auto_submitted || m.bounce || m.bulk || m.ours);

    /* alternative: the plain part wins; mixed: files collected */
    m = parse(&a, "From: a@x.example\nContent-Type: multipart/mixed; boundary=M\n\n--M\n"
                  "Content-Type: multipart/alternative; boundary=A\n\n--A\n"
                  "Content-Type: text/plain; charset=utf-8\n\nplain\n--A\n"
                  "Content-Type: text/html\n\n<p>html</p>\n--A--\n--M\n"
                  "Content-Type: application/octet-stream; name=\"a.bin\"\n"
                  "Content-Disposition: attachment; filename=\"=?UTF-8?Q?B=C3=A4r.bin?=\"\n"
                  "Content-Transfer-Encoding: base64\n\nAAEC\n--M--\n");
    assert_string_equal(str_trim(&a, m.text), "plain");
    assert_int_equal(m.file_count, 1);
    assert_string_equal(m.files[0].filename, "Bär.bin");
    assert_int_equal(m.files[0].size, 3);
    assert_memory_equal(m.files[0].data, "\x00\x01\x02", 3);

    /* HTML only: converted */
    m = parse(&a, "From: a@x.example\nContent-Type: text/html; charset=windows-1252\n\n"
                  "<p>Stra\xdf"
                  "e \x80</p>");
    assert_string_equal(m.text, "Straße €");
    assert_true(m.text_from_html);

    /* automatic mail */
    m = parse(&a, "From: a@x.example\nAuto-Submitted: auto-replied\n\nx");
    assert_true(m.auto_submitted);
    m = parse(&a, "From: a@x.example\nAuto-Submitted: no\n\nx");
    assert_false(m.auto_submitted);
    m = parse(&a, "From: a@x.example\nX-Auto-Response-Suppress: OOF, AutoReply\n\nx");
    assert_true(m.auto_submitted);
    m = parse(&a, "Return-Path: <>\nFrom: a@x.example\n\nx");
    assert_true(m.bounce);
    m = parse(&a, "From: a@x.example\nPrecedence: junk\n\nx");
    assert_true(m.bulk);
    m = parse(&a, "From: a@x.example\nX-Pforte: 1\n\nx");
    assert_true(m.ours);
    m = parse(&a, "From: not an address\n\nx");
    assert_string_equal(m.from_addr, "");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_reply_cut),
        cmocka_unit_test(test_subjects),
        cmocka_unit_test(test_inbound_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
