/* csv: writing CSV files for spreadsheet programs (RFC 4180 quoting, CRLF rows).
 * SECURITY: a cell that starts with = + - @ (or a tab or carriage return) would run as a
 * formula in Excel or LibreOffice ("CSV injection"); it gets a leading apostrophe, which
 * makes the spreadsheet treat it as text. */
#ifndef PFORTE_WEB_CSV_H
#define PFORTE_WEB_CSV_H
#include "core/buf.h"
#include <stdbool.h>

/* The UTF-8 byte order mark: Excel reads a file as UTF-8 only when it starts with it. */
#define CSV_UTF8_BOM "\xef\xbb\xbf"

/* Appends one cell: separator first unless first_in_row; the text quoted when it holds the
 * separator, a quote, CR or LF (quotes doubled); formula starters defused as above. */
void csv_cell(Buf *out, const char *text, char separator, bool first_in_row);
/* Ends a row (CRLF). */
void csv_end_row(Buf *out);

#endif
