-- The matcher's memory of recent appearances per task and camera (db/schema.ts recordAppearances):
-- one record per appearance, and a per-person rate limit that holds across stream nodes.
CREATE TABLE "record_appearances" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"camera_id" integer NOT NULL,
	"appearance" text NOT NULL,
	"record_id" bigint NOT NULL,
	"person_id" bigint,
	"embedding" vector(512) NOT NULL,
	"record_start" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "record_appearances" ADD CONSTRAINT "record_appearances_record_id_capture_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."capture_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "record_appearances_key" ON "record_appearances" USING btree ("task_id","camera_id","appearance");--> statement-breakpoint
CREATE INDEX "record_appearances_recent_idx" ON "record_appearances" USING btree ("task_id","camera_id","record_start");--> statement-breakpoint
CREATE INDEX "record_appearances_record_idx" ON "record_appearances" USING btree ("record_id");