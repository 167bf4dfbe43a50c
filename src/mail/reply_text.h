/* reply_text: finds the new part of a reply mail's text - cuts the quoted original below it
 * ("> " lines, "Am ... schrieb ...:", "On ... wrote:", Outlook's "-----Ursprüngliche
 * Nachricht-----" and "From:/Sent:" blocks, "Begin forwarded message" is kept) and the
 * signature ("-- ", "Sent from my iPhone"). Pure text processing, no allocation but in a. */
#ifndef PFORTE_MAIL_REPLY_TEXT_H
#define PFORTE_MAIL_REPLY_TEXT_H
#include "core/arena.h"
#include <stdbool.h>

/* The reply's own text of text (lines ended by "\n" or "\r\n"): everything from the first
 * quote header or signature marker on is cut, as are quoted lines at its end; with
 * keep_quotes (a forwarded mail) only the signature is cut. Trimmed; may be "" when the mail
 * held nothing but quotes. Allocated in a. */
const char *reply_text_cut(Arena *a, const char *text, bool keep_quotes);

/* True when the subject marks a forwarded mail ("Fwd:", "FW:", "WG:", "Wtr:"). */
bool reply_subject_is_forward(const char *subject);

/* The subject without reply and forward prefixes ("Re:", "AW:", "Fwd:", "WG:", "[EXT]"
 * ...), trimmed; allocated in a. */
const char *reply_subject_clean(Arena *a, const char *subject);

#endif
