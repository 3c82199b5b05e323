CREATE TABLE "dead_letter_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"action" text NOT NULL,
	"actor" jsonb NOT NULL,
	"filter" jsonb NOT NULL,
	"message_ids" jsonb NOT NULL,
	"count" integer NOT NULL,
	"skipped" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dead_letter_actions_action" CHECK ("dead_letter_actions"."action" IN ('replay', 'discard'))
);
--> statement-breakpoint
CREATE TABLE "order_event_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"aggregate_id" text NOT NULL,
	"name" text NOT NULL,
	"payload" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"attempts" integer NOT NULL,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_event_history_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE INDEX "dead_letter_actions_consumer_at_idx" ON "dead_letter_actions" USING btree ("consumer","at");--> statement-breakpoint
CREATE INDEX "order_event_history_aggregate_seq_idx" ON "order_event_history" USING btree ("aggregate_id","seq");--> statement-breakpoint
CREATE INDEX "order_event_history_archived_idx" ON "order_event_history" USING btree ("archived_at");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "inbox_processed_at_idx" ON "inbox" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX "inbox_message_idx" ON "inbox" USING btree ("message_id");--> statement-breakpoint
-- Least privilege (0010): the relay runs retention (db/retention.ts): it moves published outbox
-- rows to the order's event history and prunes the inbox, idempotency keys and that history.
GRANT SELECT, INSERT, DELETE ON order_event_history TO saga_relay;--> statement-breakpoint
GRANT SELECT, DELETE ON inbox, idempotency_keys TO saga_relay;--> statement-breakpoint
-- The API: an order's events and timeline read the history and the consumers' receipts (the
-- inbox, read only); the admin's dead-letter replays and discards are recorded and listed.
GRANT SELECT ON order_event_history, inbox TO saga_api;--> statement-breakpoint
GRANT SELECT, INSERT ON dead_letter_actions TO saga_api;--> statement-breakpoint
GRANT USAGE ON SEQUENCE dead_letter_actions_id_seq TO saga_api;
