-- The single rows of the event counter and the webhook state, and exact cached counts for alarms
-- (db/repositories/count-cache.ts): bump table_versions.alarms on every change, as for records.
INSERT INTO "event_seq" ("id", "last") VALUES (1, 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "webhook_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "table_versions" ("name", "version") VALUES ('alarms', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER alarms_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "alarms"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_table_version();
