-- Least privilege (docs/operations.md "## Least privilege"): one group role per app process,
-- holding exactly the grants that process needs in this database. The roles are NOLOGIN; a
-- deployment logs in as its own users, members of these (db/login-roles.ts makes them).
-- Roles are cluster-wide, so each is created only when missing; two databases migrated at once
-- can race on it, hence the duplicate_object / unique_violation handlers.
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['saga_worker', 'saga_relay', 'saga_consumers', 'saga_api'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;--> statement-breakpoint
-- Every process: the schema (no CREATE on it), nothing else by default.
GRANT USAGE ON SCHEMA public TO saga_worker, saga_relay, saga_consumers, saga_api;--> statement-breakpoint
-- The saga worker: the tables its activities write, and appending to the outbox (never
-- publishing, never changing a row once appended).
GRANT SELECT, INSERT, UPDATE, DELETE ON orders, inventory, reservations, payments, shipments, saga_steps, step_retries TO saga_worker;--> statement-breakpoint
GRANT SELECT, INSERT ON outbox TO saga_worker;--> statement-breakpoint
GRANT USAGE ON SEQUENCE outbox_seq_seq TO saga_worker;--> statement-breakpoint
-- The outbox relay: the outbox only (claims, marks, retention deletes).
GRANT SELECT, UPDATE, DELETE ON outbox TO saga_relay;--> statement-breakpoint
-- The consumers: their inbox, their read models, and the running/stopped state operators set.
GRANT SELECT, INSERT, UPDATE, DELETE ON inbox, notifications, order_projection TO saga_consumers;--> statement-breakpoint
GRANT SELECT ON consumer_controls TO saga_consumers;--> statement-breakpoint
-- The API: reads for its routes, its own tables, the admin's inventory upserts and consumer
-- states, and of the outbox only the columns an operator's requeue of a dead row resets.
GRANT SELECT ON orders, saga_steps, step_retries, notifications, order_projection, outbox TO saga_api;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON inventory, consumer_controls TO saga_api;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys, event_stream_tickets TO saga_api;--> statement-breakpoint
GRANT UPDATE (dead_at, attempts, next_attempt_at, last_error) ON outbox TO saga_api;
