CREATE TABLE "step_retries" (
	"order_id" uuid NOT NULL,
	"step" text NOT NULL,
	"workflow_id" text NOT NULL,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text NOT NULL,
	CONSTRAINT "step_retries_order_id_step_pk" PRIMARY KEY("order_id","step")
);
--> statement-breakpoint
ALTER TABLE "order_projection" ALTER COLUMN "total_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "order_projection" ALTER COLUMN "charged_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "order_projection" ALTER COLUMN "refunded_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "total_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "amount_cents" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "refunded_cents" SET DATA TYPE bigint;--> statement-breakpoint
CREATE INDEX "step_retries_first_failed_idx" ON "step_retries" USING btree ("first_failed_at");