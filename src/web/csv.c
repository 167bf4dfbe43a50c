/* csv: cells for spreadsheets - quoting per RFC 4180 and the apostrophe that keeps a cell
 * from being read as a formula.
 * SECURITY: every cell passes csv_cell; nothing reaches the file unescaped. */
#include "web/csv.h"
#include <string.h>

void csv_cell(Buf *out, const char *text, char separator, bool first_in_row)
{
    if (!text)
        text = "";
    if (!first_in_row)
        buf_putc(out, separator);
    bool formula = strchr("=+-@\t\r", text[0]) != NULL && text[0] != '\0';
    bool quote = formula || strchr(text, separator) || strpbrk(text, "\"\r\n");
    if (quote)
        buf_putc(out, '"');
    if (formula)
        buf_putc(out, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            buf_putc(out, '"');
        buf_putc(out, *p);
    }
    if (quote)
        buf_putc(out, '"');
}

void csv_end_row(Buf *out)
{
    buf_puts(out, "\r\n");
}
