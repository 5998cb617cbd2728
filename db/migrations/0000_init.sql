CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
CREATE TABLE "cameras" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"rtsp" text NOT NULL,
	"type" integer DEFAULT 0 NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"online" smallint DEFAULT 0 NOT NULL,
	"last_seen" timestamp with time zone,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "capture_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text,
	"task_id" integer NOT NULL,
	"task_name" text DEFAULT '' NOT NULL,
	"camera_id" integer NOT NULL,
	"camera_name" text DEFAULT '' NOT NULL,
	"camera_list" smallint DEFAULT 1 NOT NULL,
	"lib_id" integer,
	"lib_name" text DEFAULT '' NOT NULL,
	"person_id" bigint,
	"person_name" text DEFAULT '' NOT NULL,
	"sex" smallint DEFAULT 0 NOT NULL,
	"category" smallint DEFAULT 0 NOT NULL,
	"card_no" text DEFAULT '' NOT NULL,
	"classify" smallint NOT NULL,
	"similarity" real DEFAULT 0 NOT NULL,
	"pic_url" text DEFAULT '' NOT NULL,
	"capture_url" text DEFAULT '' NOT NULL,
	"quality" real,
	"box" jsonb,
	"capture_time" timestamp with time zone NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "libraries" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" integer DEFAULT 0 NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"lib_id" integer NOT NULL,
	"name" text NOT NULL,
	"pinyin" text DEFAULT '' NOT NULL,
	"sex" smallint DEFAULT 0 NOT NULL,
	"card_no" text DEFAULT '' NOT NULL,
	"phone" text DEFAULT '' NOT NULL,
	"category" smallint DEFAULT 0 NOT NULL,
	"pic_url" text NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"embedding" vector(512) NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pictures" (
	"url" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "system_config" (
	"name" text PRIMARY KEY NOT NULL,
	"config" text NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"update_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_cameras" (
	"task_id" integer NOT NULL,
	"camera_id" integer NOT NULL,
	"list" smallint NOT NULL,
	"position" smallint NOT NULL,
	"state" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "task_cameras_task_id_list_camera_id_pk" PRIMARY KEY("task_id","list","camera_id")
);
--> statement-breakpoint
CREATE TABLE "task_libraries" (
	"task_id" integer NOT NULL,
	"lib_id" integer NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "task_libraries_task_id_lib_id_pk" PRIMARY KEY("task_id","lib_id")
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" integer DEFAULT 0 NOT NULL,
	"interval" integer NOT NULL,
	"threshold" real NOT NULL,
	"plan" text DEFAULT '' NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"state" smallint DEFAULT 0 NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "persons" ADD CONSTRAINT "persons_lib_id_libraries_id_fk" FOREIGN KEY ("lib_id") REFERENCES "public"."libraries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_cameras" ADD CONSTRAINT "task_cameras_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_cameras" ADD CONSTRAINT "task_cameras_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "public"."cameras"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_libraries" ADD CONSTRAINT "task_libraries_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_libraries" ADD CONSTRAINT "task_libraries_lib_id_libraries_id_fk" FOREIGN KEY ("lib_id") REFERENCES "public"."libraries"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "capture_records_message_key" ON "capture_records" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "capture_records_time_idx" ON "capture_records" USING btree ("capture_time","id");--> statement-breakpoint
CREATE INDEX "capture_records_task_idx" ON "capture_records" USING btree ("task_id","capture_time");--> statement-breakpoint
CREATE INDEX "capture_records_camera_idx" ON "capture_records" USING btree ("camera_id","capture_time");--> statement-breakpoint
CREATE INDEX "capture_records_person_idx" ON "capture_records" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "capture_records_card_idx" ON "capture_records" USING btree ("card_no");--> statement-breakpoint
CREATE INDEX "libraries_create_idx" ON "libraries" USING btree ("create_time","id");--> statement-breakpoint
CREATE INDEX "persons_lib_idx" ON "persons" USING btree ("lib_id","id");--> statement-breakpoint
CREATE INDEX "persons_card_idx" ON "persons" USING btree ("card_no");--> statement-breakpoint
CREATE INDEX "persons_pic_idx" ON "persons" USING btree ("pic_url");--> statement-breakpoint
CREATE INDEX "persons_embedding_hnsw" ON "persons" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "task_cameras_camera_idx" ON "task_cameras" USING btree ("camera_id");--> statement-breakpoint
CREATE INDEX "task_libraries_lib_idx" ON "task_libraries" USING btree ("lib_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_name_key" ON "users" USING btree ("name");