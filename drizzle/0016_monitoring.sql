CREATE TABLE "monitoring_cell_deltas" (
	"grain" integer NOT NULL,
	"period" date NOT NULL,
	"district_code" integer NOT NULL,
	"department_id" integer NOT NULL,
	"tehsil_code" integer NOT NULL,
	"service_id" integer NOT NULL,
	"officer_id" integer NOT NULL,
	"measure" text NOT NULL,
	"day_key" integer NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitoring_cells" (
	"grain" integer NOT NULL,
	"period" date NOT NULL,
	"district_code" integer NOT NULL,
	"department_id" integer NOT NULL,
	"tehsil_code" integer NOT NULL,
	"service_id" integer NOT NULL,
	"officer_id" integer NOT NULL,
	"measure" text NOT NULL,
	"day_key" integer NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitoring_counted" (
	"application_id" bigint PRIMARY KEY NOT NULL,
	"period" date NOT NULL,
	"district_code" integer NOT NULL,
	"department_id" integer NOT NULL,
	"tehsil_code" integer NOT NULL,
	"service_id" integer NOT NULL,
	"officer_id" integer NOT NULL,
	"measure" text NOT NULL,
	"day_key" integer NOT NULL,
	"received_week" date NOT NULL,
	"decided_week" date,
	"appeals" integer NOT NULL,
	"penalties" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "simulation_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"applications" integer NOT NULL,
	"days" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_cells_key" ON "monitoring_cells" USING btree ("grain","district_code","department_id","tehsil_code","service_id","officer_id","period","measure","day_key");--> statement-breakpoint
CREATE INDEX "monitoring_cells_department_idx" ON "monitoring_cells" USING btree ("grain","department_id","period");--> statement-breakpoint
-- Monitoring (issue 6, docs/metrics.md): the functions and triggers that keep
-- monitoring_cells exact in the same transaction as every change.
-- Working days in (from_date, to_date]: Monday to Friday (ISO weekdays 1..5,
-- the default of src/sla/calendar.ts) minus the state-wide closing holidays
-- (gazetted or local, not retired) that fall on a weekday: the state calendar
-- of src/sla/service.ts loadCalendar(q, null). 0 when to_date <= from_date.
CREATE OR REPLACE FUNCTION monitoring_weekdays_upto(d date) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT ((d - date '1970-01-05' + 1) / 7) * 5 + least((d - date '1970-01-05' + 1) % 7, 5)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monitoring_working_days(from_date date, to_date date) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN to_date <= from_date THEN 0 ELSE
    monitoring_weekdays_upto(to_date) - monitoring_weekdays_upto(from_date)
    - (SELECT count(DISTINCT h.date)::integer FROM holidays h
        WHERE h.date > from_date AND h.date <= to_date AND h.district_code IS NULL
          AND h.retired_at IS NULL AND h.kind IN ('gazetted', 'local')
          AND extract(isodow FROM h.date) < 6)
  END
$$;
--> statement-breakpoint
-- One row per application: what it contributes to the rollups (the single
-- definition of each measure, docs/metrics.md).
CREATE OR REPLACE VIEW monitoring_facts AS
SELECT
  a.id AS application_id,
  date_trunc('month', a.received_at AT TIME ZONE 'Asia/Kolkata')::date AS period,
  a.district_code,
  a.department_id,
  a.tehsil_code,
  a.service_id,
  coalesce((
    SELECT substring(e.actor_id FROM '^official:([0-9]+)$')::integer
    FROM application_events e
    WHERE e.application_id = a.id AND e.actor_kind = 'official' AND e.actor_id ~ '^official:[0-9]+$'
    ORDER BY e.id DESC LIMIT 1), 0) AS officer_id,
  CASE
    WHEN a.status IN ('submitted', 'resubmitted') THEN 'pending'
    WHEN a.status = 'sent_back' THEN 'sent_back'
    WHEN a.status IN ('approved', 'rejected') THEN a.status ||
      CASE WHEN a.due_date IS NOT NULL
             AND (coalesce(a.decided_at, a.received_at) AT TIME ZONE 'Asia/Kolkata')::date > a.due_date
           THEN '_late' ELSE '_within' END
    ELSE 'other'
  END AS measure,
  CASE
    WHEN a.status IN ('submitted', 'resubmitted') THEN coalesce(a.due_date - date '1970-01-01', 2147483647)
    WHEN a.status IN ('approved', 'rejected') THEN monitoring_working_days(
      (a.received_at AT TIME ZONE 'Asia/Kolkata')::date,
      (coalesce(a.decided_at, a.received_at) AT TIME ZONE 'Asia/Kolkata')::date)
    ELSE 0
  END AS day_key,
  date_trunc('week', a.received_at AT TIME ZONE 'Asia/Kolkata')::date AS received_week,
  CASE WHEN a.status IN ('approved', 'rejected')
    THEN date_trunc('week', coalesce(a.decided_at, a.received_at) AT TIME ZONE 'Asia/Kolkata')::date
  END AS decided_week,
  (SELECT count(*)::integer FROM appeals p WHERE p.application_id = a.id) AS appeals,
  (SELECT count(*)::integer FROM penalties p WHERE p.application_id = a.id) AS penalties
FROM applications a;
--> statement-breakpoint
-- The cells one counted application adds (sign 1) or removes (sign -1), at every grain.
CREATE OR REPLACE FUNCTION monitoring_expand(f monitoring_counted, sign integer, fine_only boolean DEFAULT false)
RETURNS SETOF monitoring_cell_deltas LANGUAGE sql IMMUTABLE AS $$
  SELECT g.grain, m.period,
    CASE WHEN g.grain IN (0, 1, 2) THEN f.district_code ELSE -1 END,
    CASE WHEN g.grain IN (0, 1, 3) THEN f.department_id ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.tehsil_code ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.service_id ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.officer_id ELSE -1 END,
    m.measure, m.day_key, (sign * m.n)::bigint
  FROM (SELECT * FROM (VALUES (0), (1), (2), (3), (4)) v(grain) WHERE NOT fine_only OR v.grain = 0) g
  CROSS JOIN (VALUES
    (f.period, f.measure, f.day_key, 1),
    (f.period, 'appeals', 0, f.appeals),
    (f.period, 'penalties', 0, f.penalties),
    (f.received_week, 'week_received', 0, 1),
    (f.decided_week, 'week_disposed', 0, CASE WHEN f.decided_week IS NULL THEN 0 ELSE 1 END)
  ) m(period, measure, day_key, n)
  WHERE m.n <> 0 AND m.period IS NOT NULL
$$;
--> statement-breakpoint
-- Recounts one application: removes what it contributed when last counted and
-- adds what it contributes now. Idempotent, so every trigger can call it.
CREATE OR REPLACE FUNCTION monitoring_refresh(app_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  old_row monitoring_counted;
  new_row monitoring_counted;
BEGIN
  SELECT * INTO old_row FROM monitoring_counted WHERE application_id = app_id FOR UPDATE;
  SELECT * INTO new_row FROM monitoring_facts WHERE application_id = app_id;
  IF old_row.application_id IS NULL AND new_row.application_id IS NULL THEN RETURN; END IF;
  IF old_row IS NOT DISTINCT FROM new_row THEN RETURN; END IF;
  IF old_row.application_id IS NOT NULL THEN
    INSERT INTO monitoring_cell_deltas SELECT * FROM monitoring_expand(old_row, -1);
  END IF;
  IF new_row.application_id IS NULL THEN
    DELETE FROM monitoring_counted WHERE application_id = app_id;
  ELSE
    INSERT INTO monitoring_cell_deltas SELECT * FROM monitoring_expand(new_row, 1);
    INSERT INTO monitoring_counted VALUES (new_row.*)
      ON CONFLICT (application_id) DO UPDATE SET
        period = excluded.period, district_code = excluded.district_code,
        department_id = excluded.department_id, tehsil_code = excluded.tehsil_code,
        service_id = excluded.service_id, officer_id = excluded.officer_id,
        measure = excluded.measure, day_key = excluded.day_key,
        received_week = excluded.received_week, decided_week = excluded.decided_week,
        appeals = excluded.appeals, penalties = excluded.penalties;
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monitoring_on_application() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN PERFORM monitoring_refresh(OLD.id);
  ELSE PERFORM monitoring_refresh(NEW.id); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION monitoring_on_child() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM monitoring_refresh(OLD.application_id); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM monitoring_refresh(NEW.application_id); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER monitoring_applications AFTER INSERT OR DELETE OR UPDATE OF
  status, due_date, decided_at, received_at, district_code, department_id, tehsil_code, service_id
  ON applications FOR EACH ROW EXECUTE FUNCTION monitoring_on_application();
--> statement-breakpoint
CREATE TRIGGER monitoring_application_events AFTER INSERT ON application_events
  FOR EACH ROW WHEN (NEW.actor_kind = 'official') EXECUTE FUNCTION monitoring_on_child();
--> statement-breakpoint
CREATE TRIGGER monitoring_appeals AFTER INSERT OR DELETE OR UPDATE OF application_id
  ON appeals FOR EACH ROW EXECUTE FUNCTION monitoring_on_child();
--> statement-breakpoint
CREATE TRIGGER monitoring_penalties AFTER INSERT OR DELETE OR UPDATE OF application_id
  ON penalties FOR EACH ROW EXECUTE FUNCTION monitoring_on_child();
--> statement-breakpoint
-- Folds the pending deltas into monitoring_cells (one statement: a reader sees
-- each delta either here or there, never both). Returns the cells touched.
CREATE OR REPLACE FUNCTION monitoring_compact() RETURNS bigint
LANGUAGE sql AS $$
  WITH d AS (DELETE FROM monitoring_cell_deltas RETURNING *),
  g AS (
    SELECT grain, period, district_code, department_id, tehsil_code, service_id, officer_id,
      measure, day_key, sum(n)::bigint AS n
    FROM d GROUP BY grain, period, district_code, department_id, tehsil_code, service_id,
      officer_id, measure, day_key),
  u AS (
    INSERT INTO monitoring_cells AS c SELECT * FROM g
    ON CONFLICT (grain, district_code, department_id, tehsil_code, service_id, officer_id, period, measure, day_key)
    DO UPDATE SET n = c.n + excluded.n RETURNING 1)
  SELECT count(*) FROM u
$$;
--> statement-breakpoint
-- Recomputes every rollup from the raw rows (after a bulk load with triggers
-- off, or a change of the holiday list): grain 0 from the facts, the coarser
-- grains from grain 0.
CREATE OR REPLACE FUNCTION monitoring_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE monitoring_counted IN EXCLUSIVE MODE;
  TRUNCATE monitoring_cells, monitoring_cell_deltas, monitoring_counted;
  INSERT INTO monitoring_counted SELECT * FROM monitoring_facts;
  INSERT INTO monitoring_cells
    SELECT x.grain, x.period, x.district_code, x.department_id, x.tehsil_code, x.service_id,
      x.officer_id, x.measure, x.day_key, sum(x.n)::bigint
    FROM monitoring_counted c
    CROSS JOIN LATERAL monitoring_expand(c, 1, true) x
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  INSERT INTO monitoring_cells
    SELECT g.grain, c.period,
      CASE WHEN g.grain IN (1, 2) THEN c.district_code ELSE -1 END,
      CASE WHEN g.grain IN (1, 3) THEN c.department_id ELSE -1 END,
      -1, -1, -1, c.measure, c.day_key, sum(c.n)::bigint
    FROM monitoring_cells c CROSS JOIN (VALUES (1), (2), (3), (4)) g(grain)
    WHERE c.grain = 0
    GROUP BY 1, 2, 3, 4, 8, 9;
END
$$;
--> statement-breakpoint
-- The longest-overdue list and the naive reference query scan pending applications by due date.
CREATE INDEX IF NOT EXISTS monitoring_pending_due_idx ON applications (due_date)
  WHERE status IN ('submitted', 'resubmitted');
