-- Idempotency keys become the customer's own: the key is unique per (customer_id, key).
-- Existing keys belong to the customer of their order: from the orders table, else from the
-- order_projection (orders whose saga never recorded them). A key neither knows the customer of
-- belongs to no order anyone can see; it is dropped, and a retry with it starts a new order.
ALTER TABLE "idempotency_keys" ADD COLUMN "customer_id" text;--> statement-breakpoint
UPDATE "idempotency_keys" AS k SET "customer_id" = o."customer_id" FROM "orders" AS o WHERE o."id" = k."order_id";--> statement-breakpoint
UPDATE "idempotency_keys" AS k SET "customer_id" = p."customer_id" FROM "order_projection" AS p
  WHERE k."customer_id" IS NULL AND p."order_id" = k."order_id" AND p."customer_id" IS NOT NULL;--> statement-breakpoint
DELETE FROM "idempotency_keys" WHERE "customer_id" IS NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_customer_id_key_pk" PRIMARY KEY("customer_id","key");
