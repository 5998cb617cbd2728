-- Bump table_versions.<table> once per statement that changes persons or capture_records, so cached
-- exact counts (db/repositories/count-cache.ts) are recomputed after any change by any process.
INSERT INTO "table_versions" ("name", "version") VALUES ('persons', 0), ('capture_records', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_table_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "table_versions" SET "version" = "version" + 1 WHERE "name" = TG_TABLE_NAME;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER persons_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "persons"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_table_version();
--> statement-breakpoint
CREATE TRIGGER capture_records_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "capture_records"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_table_version();
