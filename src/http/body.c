/* body: reads a request body as libmicrohttpd hands it over - buffered for urlencoded and
 * other types, streamed through the multipart parser for uploads.
 * SECURITY: every byte counts against the limit, whatever Content-Length claimed. */
#include "core/log.h"
#include "http/exchange.h"
#include "http/form.h"

bool exchange_body_feed(Exchange *ex, const char *data, size_t n)
{
    ex->body_received += n;
    if (ex->status) /* already refused: drain a little so the client can read the answer */
        return ex->body_received <= (uint64_t)ex->body_limit + BODY_DRAIN_MAX;
    if (ex->body_received > (uint64_t)ex->body_limit) {
        log_info("event=body_too_large limit=%lld", (long long)ex->body_limit);
        ex->status = 413;
        return true;
    }
    if (ex->body_kind == BODY_MULTIPART) {
        if (!multipart_feed(ex->multipart, data, n)) {
            log_info("event=bad_body type=multipart reason=\"%s\"", multipart_error(ex->multipart));
            ex->status = 400;
        }
        return true;
    }
    buf_append(&ex->body, data, n);
    return true;
}

void exchange_body_end(Exchange *ex)
{
    Request *req = &ex->req;
    if (ex->status)
        return;
    if (ex->body_kind == BODY_FORM) {
        ParamList list;
        param_list_init(&list);
        if (!form_parse_urlencoded(req->arena, buf_cstr(&ex->body), ex->body.len, &list)) {
            log_info("event=bad_body type=urlencoded");
            ex->status = 400;
        }
        req->form = list.head;
    } else if (ex->body_kind == BODY_MULTIPART) {
        if (!multipart_finish(ex->multipart)) {
            log_info("event=bad_body type=multipart reason=\"%s\"", multipart_error(ex->multipart));
            ex->status = 400;
            return;
        }
        req->form = multipart_fields(ex->multipart);
        req->files = multipart_files(ex->multipart);
    } else if (ex->body_kind == BODY_OTHER) {
        req->body = buf_cstr(&ex->body);
        req->body_len = ex->body.len;
    }
}
