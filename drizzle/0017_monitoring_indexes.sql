-- Monitoring (issue 6): monitoring_facts counts an application's penalties on
-- every recount (each trigger) and for every application on a rebuild; without
-- this index each count scans the whole penalty register (EXPLAIN ANALYZE at
-- 5 M applications: the rebuild did not finish in 17 minutes).
CREATE INDEX IF NOT EXISTS "penalties_application_idx" ON "penalties" USING btree ("application_id");
