CREATE TABLE "alarms" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" smallint NOT NULL,
	"state" smallint DEFAULT 0 NOT NULL,
	"alarm_time" timestamp with time zone NOT NULL,
	"task_id" integer DEFAULT 0 NOT NULL,
	"task_name" text DEFAULT '' NOT NULL,
	"camera_id" integer DEFAULT 0 NOT NULL,
	"camera_name" text DEFAULT '' NOT NULL,
	"record_id" bigint DEFAULT 0 NOT NULL,
	"person_id" bigint DEFAULT 0 NOT NULL,
	"person_name" text DEFAULT '' NOT NULL,
	"lib_id" integer DEFAULT 0 NOT NULL,
	"lib_name" text DEFAULT '' NOT NULL,
	"category" smallint DEFAULT 0 NOT NULL,
	"similarity" real DEFAULT 0 NOT NULL,
	"pic_url" text DEFAULT '' NOT NULL,
	"capture_url" text DEFAULT '' NOT NULL,
	"ack_user_id" integer,
	"ack_user" text DEFAULT '' NOT NULL,
	"ack_time" timestamp with time zone,
	"ack_remark" text DEFAULT '' NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attendance_days" (
	"task_id" integer NOT NULL,
	"day" date NOT NULL,
	"person_id" bigint NOT NULL,
	"first_in" timestamp with time zone,
	"in_camera_name" text DEFAULT '' NOT NULL,
	"last_out" timestamp with time zone,
	"out_camera_name" text DEFAULT '' NOT NULL,
	"last_any" timestamp with time zone NOT NULL,
	"any_camera_name" text DEFAULT '' NOT NULL,
	CONSTRAINT "attendance_days_task_id_day_person_id_pk" PRIMARY KEY("task_id","day","person_id")
);
--> statement-breakpoint
CREATE TABLE "attendance_meta" (
	"id" smallint PRIMARY KEY NOT NULL,
	"zone" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_seq" (
	"id" smallint PRIMARY KEY NOT NULL,
	"last" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"camera_id" integer DEFAULT 0 NOT NULL,
	"data" text NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"camera_id" integer NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt" timestamp with time zone NOT NULL,
	"event_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"intake_cursor" bigint,
	"owner" text,
	"lease_until" timestamp with time zone,
	"delivered" bigint DEFAULT 0 NOT NULL,
	"dropped" bigint DEFAULT 0 NOT NULL,
	"last_success" timestamp with time zone,
	"last_error" text DEFAULT '' NOT NULL,
	"last_error_time" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "online_changed" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "health_alarm" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "alarm_stranger" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "late_grace" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "early_grace" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "alarms_time_idx" ON "alarms" USING btree ("alarm_time","id");--> statement-breakpoint
CREATE INDEX "alarms_state_idx" ON "alarms" USING btree ("state","alarm_time","id");--> statement-breakpoint
CREATE INDEX "alarms_task_idx" ON "alarms" USING btree ("task_id","alarm_time");--> statement-breakpoint
CREATE INDEX "alarms_camera_idx" ON "alarms" USING btree ("camera_id","alarm_time");--> statement-breakpoint
CREATE INDEX "alarms_pic_url_idx" ON "alarms" USING btree ("pic_url") WHERE "alarms"."pic_url" <> '';--> statement-breakpoint
CREATE INDEX "alarms_capture_url_idx" ON "alarms" USING btree ("capture_url") WHERE "alarms"."capture_url" <> '';--> statement-breakpoint
CREATE INDEX "events_create_idx" ON "events" USING btree ("create_time");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_camera_idx" ON "webhook_deliveries" USING btree ("camera_id","event_id");