/* request_form: shared steps of the request actions on the customer's and the agents' page.
 * Never decides access: the domain does that inside each activity_* call. */
#include "portal/request_form.h"
#include "core/clock.h"
#include "core/str.h"
#include "portal/portal.h"
#include "store/db.h"

bool request_form_context(Request *req, Response *res, const User *user, Viewer *viewer,
                          ActivityContext *c)
{
    request_viewer_from_user(viewer, user);
    viewer->lang = req->lang;
    *c = (ActivityContext){db_thread(), req->arena, viewer, req->client_ip, clock_now()};
    if (!c->db) {
        portal_error_page(req, res, 503);
        return false;
    }
    return true;
}

void request_form_failure(Request *req, Response *res, RequestResult r)
{
    portal_error_page(req, res,
                      r == REQUEST_NOT_FOUND     ? 404
                      : r == REQUEST_UNAVAILABLE ? 503
                                                 : 500);
}

const char *request_form_message(Request *req, const char *msgid)
{
    return attachments_error_text(req->arena, req->lang, msgid);
}

const char *request_form_error(Request *req, const FieldErrors *e, const char *field)
{
    for (int i = 0; i < e->count; i++)
        if (str_eq(e->items[i].field, field))
            return request_form_message(req, e->items[i].msgid);
    return NULL;
}

NewAttachment *request_form_files(Request *req, int *count)
{
    int n = 0;
    for (const UploadedFile *f = req->files; f; f = f->next)
        n++;
    NewAttachment *files = arena_alloc(req->arena, sizeof *files * (size_t)(n ? n : 1));
    *count = 0;
    for (const UploadedFile *f = req->files; f; f = f->next) {
        if (!str_eq(f->field, "files") || (str_empty(f->filename) && f->size == 0))
            continue;
        files[(*count)++] = (NewAttachment){f->filename, f->content_type, f->data, f->size};
    }
    return files;
}
