-- Roles (issue 10): every account gets a role; the oldest account (the initial admin) becomes admin,
-- the others operator (before roles every account could do everything; an admin narrows them).
-- Login failures move from users to login_failures, counted per (name key, client address).
CREATE TABLE "login_failures" (
	"name_key" text NOT NULL,
	"address" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locks" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "login_failures_name_key_address_pk" PRIMARY KEY("name_key","address")
);
--> statement-breakpoint
ALTER TABLE "pictures" ADD COLUMN "owner_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "role" text DEFAULT 'operator' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "name_key" text;--> statement-breakpoint
CREATE INDEX "login_failures_updated_idx" ON "login_failures" USING btree ("updated");--> statement-breakpoint
ALTER TABLE "pictures" ADD CONSTRAINT "pictures_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pictures_owner_idx" ON "pictures" USING btree ("owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_name_skeleton_key" ON "users" USING btree ("name_key");--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "failed_logins";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "locked_until";--> statement-breakpoint
UPDATE "users" SET "role" = 'admin' WHERE "id" = (SELECT min("id") FROM "users");