ALTER TABLE "outbox" ADD COLUMN "trace_context" jsonb;--> statement-breakpoint
-- outbox_claim (0005, which explains it) returns the row's trace context too, for the relay's
-- publish span. Same claim otherwise; its result type changes, so it is dropped and made again.
DROP FUNCTION outbox_claim(integer, integer);--> statement-breakpoint
CREATE OR REPLACE FUNCTION outbox_claim(batch_size integer, lease_ms integer)
RETURNS TABLE (id uuid, seq bigint, aggregate_id text, name text, payload jsonb, metadata jsonb, attempts integer, trace_context jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  locked text[];
BEGIN
  -- The orders of the oldest due rows whose lock we get. Postgres never pushes a volatile
  -- condition (the lock) into a subquery, so only these candidates are locked.
  SELECT array_agg(candidates.aggregate_id) INTO locked
  FROM (
    SELECT DISTINCT due.aggregate_id FROM (
      SELECT o.aggregate_id FROM outbox o
      WHERE o.published_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= now()
      ORDER BY o.seq
      LIMIT batch_size
    ) due
  ) candidates
  WHERE pg_try_advisory_xact_lock(2828, hashtext(candidates.aggregate_id));
  IF locked IS NULL THEN
    RETURN;
  END IF;

  -- Each locked order's rows from its oldest pending one on, up to the first that is not due.
  RETURN QUERY
  UPDATE outbox o SET next_attempt_at = now() + lease_ms * interval '1 millisecond'
  FROM (
    SELECT ordered.id FROM (
      SELECT p.id, p.seq, bool_and(p.next_attempt_at <= now()) OVER (PARTITION BY p.aggregate_id ORDER BY p.seq) AS due_so_far
      FROM outbox p
      WHERE p.aggregate_id = ANY(locked) AND p.published_at IS NULL AND p.dead_at IS NULL
    ) ordered
    WHERE ordered.due_so_far
    ORDER BY ordered.seq
    LIMIT batch_size
  ) pick
  WHERE o.id = pick.id
  RETURNING o.id, o.seq, o.aggregate_id, o.name, o.payload, o.metadata, o.attempts, o.trace_context;
END
$$;
