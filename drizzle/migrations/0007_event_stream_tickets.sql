CREATE TABLE "event_stream_tickets" (
	"ticket_hash" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"caller" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "event_stream_tickets_expires_idx" ON "event_stream_tickets" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "outbox_aggregate_seq_idx" ON "outbox" USING btree ("aggregate_id","seq");--> statement-breakpoint
-- Hand-written below (drizzle cannot declare triggers). One NOTIFY per order an outbox INSERT
-- touched, on the channel order_events with the order id as payload: each API process LISTENs
-- once and wakes only that order's open event streams (api/event-streams/order-event-hub.ts).
-- Delivered at commit, so a stream woken by it reads the rows. The relay's outbox_inserted
-- channel (0001) stays as it is: it wakes on any insert and needs no payload.
CREATE OR REPLACE FUNCTION outbox_notify_order_events() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('order_events', inserted_orders.aggregate_id)
  FROM (SELECT DISTINCT aggregate_id FROM inserted) inserted_orders;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER outbox_notify_order_events_after_insert
  AFTER INSERT ON "outbox"
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify_order_events();
