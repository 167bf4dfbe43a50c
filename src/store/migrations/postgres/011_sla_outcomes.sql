-- 011: whether each SLA target was met (1) or missed (0), NULL while it is still open or does
-- not apply - kept by the SLA pass next to the due times (008), so the reports dashboard can
-- count compliance per priority in SQL.
ALTER TABLE requests ADD COLUMN sla_first_response_met INTEGER;
ALTER TABLE requests ADD COLUMN sla_resolution_met INTEGER;
