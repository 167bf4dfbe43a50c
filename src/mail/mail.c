/* mail: mail_queue - the one call domain code makes to send a mail (build + outbox row). */
#include "mail/mail.h"
#include "core/log.h"
#include "store/outbox.h"

bool mail_queue(Db *db, Arena *a, const MailMessage *m, int64_t now)
{
    Buf message;
    buf_init(&message, a);
    if (!mail_build(a, m, now, &message, NULL))
        return false;
    DbResult r = outbox_enqueue(db, m->to, m->subject, message.data, message.len, now);
    if (r != DB_OK) {
        log_warn("event=mail_queue_failed result=%d", (int)r);
        return false;
    }
    return true;
}
