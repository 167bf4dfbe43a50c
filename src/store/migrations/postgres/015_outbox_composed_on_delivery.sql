-- 015: a queued mail may be composed by the mail worker when it delivers it, instead of in the
-- transaction that queues it. `compose` names what to build ('' = the bytes are in
-- outbox_bodies; 'request_created' = the confirmation of request `request_number` to its
-- reporter). The confirmation of a new request was built inside the one writer's turn: about
-- a fifth of the work a create does there, and four pages of message bytes to write.
ALTER TABLE outbox ADD COLUMN compose TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN request_number BIGINT NOT NULL DEFAULT 0;
