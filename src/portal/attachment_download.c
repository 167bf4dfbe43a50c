/* attachment_download: GET /requests/{key}/attachments/{id}/{name} - one file of a request,
 * as a download, or inline for the raster images the page shows as thumbnails (?inline=1).
 * SECURITY: the file is found only through the request the viewer may see, must belong to
 * it and must not be internal for customers (attachment_open_for_viewer) - else 404. The
 * response can never run as a page: Content-Disposition attachment (inline only for PNG,
 * JPEG, GIF and WebP recognised by their bytes), the type decided from the bytes, nosniff,
 * and a CSP that sandboxes it and allows nothing. */
#include "core/str.h"
#include "domain/attachments.h"
#include "portal/portal.h"
#include "portal/web_session.h"

void portal_attachment_download(Request *req, Response *res); /* activity_routes.c */

void portal_attachment_download(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s)
        return;
    int64_t id;
    if (!str_to_int64(request_param(req, "id"), &id) || id <= 0) {
        portal_error_page(req, res, 404);
        return;
    }
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    viewer.lang = req->lang;
    AttachmentRow file;
    RequestResult r =
        attachment_open_for_viewer(db, req->arena, &viewer, request_param(req, "key"), id, &file);
    if (r != REQUEST_OK) {
        portal_error_page(req, res,
                          r == REQUEST_NOT_FOUND     ? 404
                          : r == REQUEST_UNAVAILABLE ? 503
                                                     : 500);
        return;
    }
    /* decided again from the bytes: what the page may show inline is never a stored word */
    const char *type = attachment_sniff_type(file.data, (size_t)file.size);
    bool as_inline = str_eq(request_query(req, "inline"), "1") && attachment_is_inline_image(type);
    response_header(res, req, "Content-Disposition",
                    attachment_disposition(req->arena, file.filename, as_inline));
    response_header(res, req, "X-Content-Type-Options", "nosniff");
    response_header(res, req, "Content-Security-Policy", "sandbox; default-src 'none'");
    response_header(res, req, "Cross-Origin-Resource-Policy", "same-origin");
    response_header(res, req, "Cache-Control", "private, max-age=3600");
    response_header(res, req, "ETag", arena_printf(req->arena, "\"%s\"", file.sha256));
    res->status = 200;
    res->content_type = type;
    res->raw = file.data;
    res->raw_len = (size_t)file.size;
    res->no_compress = true;
}
