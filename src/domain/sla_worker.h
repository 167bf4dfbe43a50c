/* sla_worker: the thread in `pforte serve` that runs the SLA pass (sla_pass_run: refresh the
 * computed SLA columns, send reminder mails) every cfg.sla_poll_ms. Several instances may
 * run it at once: the pass is idempotent and each reminder is claimed by a unique row. */
#ifndef PFORTE_DOMAIN_SLA_WORKER_H
#define PFORTE_DOMAIN_SLA_WORKER_H

/* Starts the thread (no-op when it runs); it opens its own connection with db_thread(). */
void sla_worker_start(void);
/* Asks the thread to end after the pass in progress and waits for it. */
void sla_worker_stop(void);

#endif
