CREATE TABLE "consumer_controls" (
	"consumer" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_controls_state" CHECK ("consumer_controls"."state" IN ('running', 'stopped'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"customer_id" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"reason" text,
	"message_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_projection" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"customer_id" text,
	"status" text NOT NULL,
	"total_cents" integer,
	"currency" text,
	"lines" jsonb,
	"charged_cents" integer,
	"refunded_cents" integer,
	"tracking_number" text,
	"failed_step" text,
	"failure_type" text,
	"failure_reason" text,
	"submitted_at" timestamp with time zone,
	"reserved_at" timestamp with time zone,
	"charged_at" timestamp with time zone,
	"shipped_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"last_event" text NOT NULL,
	"last_event_at" timestamp with time zone NOT NULL,
	"last_message_id" uuid NOT NULL,
	"events_applied" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "notifications_customer_idx" ON "notifications" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "order_projection_customer_idx" ON "order_projection" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "order_projection_status_idx" ON "order_projection" USING btree ("status");--> statement-breakpoint
CREATE INDEX "order_projection_last_event_at_idx" ON "order_projection" USING btree ("last_event_at");