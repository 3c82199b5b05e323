-- Wake relays as soon as an outbox row commits (NOTIFY is delivered at commit); relays still
-- poll as a fallback, so a missed notification only delays, never loses, an event.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('outbox_inserted', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER outbox_notify_after_insert
  AFTER INSERT ON "outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
