-- Monitoring (issue 6): disposal-time histograms get grains of their own
-- (grain + 10: 10 = fine, 11 = district × department, 12 = district,
-- 13 = department, 14 = state; measure `disposed_days`, day_key = working
-- days), and the disposed count cells (`approved_within`, `approved_late`,
-- `rejected_within`, `rejected_late`) no longer carry the disposal time
-- (day_key 0). A count-only question (the district ranking) then reads a
-- few cells per district and month instead of one per distinct disposal
-- time (at 5 M applications, 12 months by district: 57,434 cells → about
-- 6,000), and percentile questions read one histogram instead of four.
CREATE OR REPLACE FUNCTION monitoring_expand(f monitoring_counted, sign integer, fine_only boolean DEFAULT false)
RETURNS SETOF monitoring_cell_deltas LANGUAGE sql IMMUTABLE AS $$
  SELECT g.grain + m.grain_offset, m.period,
    CASE WHEN g.grain IN (0, 1, 2) THEN f.district_code ELSE -1 END,
    CASE WHEN g.grain IN (0, 1, 3) THEN f.department_id ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.tehsil_code ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.service_id ELSE -1 END,
    CASE WHEN g.grain = 0 THEN f.officer_id ELSE -1 END,
    m.measure, m.day_key, (sign * m.n)::bigint
  FROM (SELECT * FROM (VALUES (0), (1), (2), (3), (4)) v(grain) WHERE NOT fine_only OR v.grain = 0) g
  CROSS JOIN (VALUES
    (0, f.period, f.measure,
      CASE WHEN f.measure IN ('approved_within', 'approved_late', 'rejected_within', 'rejected_late') THEN 0 ELSE f.day_key END, 1),
    (10, f.period, 'disposed_days', f.day_key,
      CASE WHEN f.measure IN ('approved_within', 'approved_late', 'rejected_within', 'rejected_late') THEN 1 ELSE 0 END),
    (0, f.period, 'appeals', 0, f.appeals),
    (0, f.period, 'penalties', 0, f.penalties),
    (0, f.received_week, 'week_received', 0, 1),
    (0, f.decided_week, 'week_disposed', 0, CASE WHEN f.decided_week IS NULL THEN 0 ELSE 1 END)
  ) m(grain_offset, period, measure, day_key, n)
  WHERE m.n <> 0 AND m.period IS NOT NULL
$$;
--> statement-breakpoint
-- Recomputes the cells from what each application is counted as (monitoring_counted), without recounting the applications.
CREATE OR REPLACE FUNCTION monitoring_reexpand() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE monitoring_counted IN EXCLUSIVE MODE;
  TRUNCATE monitoring_cells, monitoring_cell_deltas;
  INSERT INTO monitoring_cells
    SELECT x.grain, x.period, x.district_code, x.department_id, x.tehsil_code, x.service_id,
      x.officer_id, x.measure, x.day_key, sum(x.n)::bigint
    FROM monitoring_counted c
    CROSS JOIN LATERAL monitoring_expand(c, 1, true) x
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  INSERT INTO monitoring_cells
    SELECT c.grain + g.grain, c.period,
      CASE WHEN g.grain IN (1, 2) THEN c.district_code ELSE -1 END,
      CASE WHEN g.grain IN (1, 3) THEN c.department_id ELSE -1 END,
      -1, -1, -1, c.measure, c.day_key, sum(c.n)::bigint
    FROM monitoring_cells c CROSS JOIN (VALUES (1), (2), (3), (4)) g(grain)
    WHERE c.grain IN (0, 10)
    GROUP BY 1, 2, 3, 4, 8, 9;
END
$$;
--> statement-breakpoint
-- Recomputes every rollup from the raw rows: recounts each application, then the cells.
CREATE OR REPLACE FUNCTION monitoring_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE monitoring_counted IN EXCLUSIVE MODE;
  TRUNCATE monitoring_counted;
  INSERT INTO monitoring_counted SELECT * FROM monitoring_facts;
  PERFORM monitoring_reexpand();
END
$$;
--> statement-breakpoint
SELECT monitoring_reexpand();
