-- A replay or discard of dead letters is recorded before it takes the first one (status running),
-- then finished done or failed (with its error and what it did by then). Rows written before this
-- migration were written after their sweep succeeded: they are done, finished when written. The
-- defaults say the same of rows an API from before this migration writes during a rollout.
ALTER TABLE "dead_letter_actions" ADD COLUMN "status" text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE "dead_letter_actions" ADD COLUMN "error" text;--> statement-breakpoint
ALTER TABLE "dead_letter_actions" ADD COLUMN "finished_at" timestamp with time zone DEFAULT now();--> statement-breakpoint
UPDATE "dead_letter_actions" SET "finished_at" = "at";--> statement-breakpoint
ALTER TABLE "dead_letter_actions" ADD CONSTRAINT "dead_letter_actions_status" CHECK ("dead_letter_actions"."status" IN ('running', 'done', 'failed'));--> statement-breakpoint
ALTER TABLE "dead_letter_actions" ADD CONSTRAINT "dead_letter_actions_finished" CHECK (("dead_letter_actions"."status" = 'running') = ("dead_letter_actions"."finished_at" IS NULL));--> statement-breakpoint
ALTER TABLE "dead_letter_actions" ADD CONSTRAINT "dead_letter_actions_error" CHECK (("dead_letter_actions"."status" = 'failed') = ("dead_letter_actions"."error" IS NOT NULL));--> statement-breakpoint
-- A finished action is never changed, by anyone: the audit keeps what happened.
CREATE OR REPLACE FUNCTION dead_letter_actions_finish_once() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'running' THEN
    RAISE EXCEPTION 'dead-letter action % is %: a finished action is never changed', OLD.id, OLD.status;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER dead_letter_actions_finish_once
  BEFORE UPDATE ON "dead_letter_actions"
  FOR EACH ROW EXECUTE FUNCTION dead_letter_actions_finish_once();
--> statement-breakpoint
-- Least privilege (0010, 0011): the API finishes the actions it started, writing only the outcome;
-- who did what, with which filter, and when it started stay as inserted.
GRANT UPDATE (status, error, finished_at, message_ids, count, skipped) ON dead_letter_actions TO saga_api;
