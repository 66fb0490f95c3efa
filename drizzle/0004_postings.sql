CREATE TABLE "postings" (
	"id" serial PRIMARY KEY NOT NULL,
	"official_id" integer NOT NULL,
	"role" text NOT NULL,
	"office" text DEFAULT '' NOT NULL,
	"level" text NOT NULL,
	"district_code" integer,
	"tehsil_code" integer,
	"department_id" integer,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "officials" ADD COLUMN "failed_logins" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "officials" ADD COLUMN "locked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "officials" ADD COLUMN "totp_secret" text;--> statement-breakpoint
ALTER TABLE "officials" ADD COLUMN "totp_enabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_official_id_officials_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_tehsil_code_tehsils_code_fk" FOREIGN KEY ("tehsil_code") REFERENCES "public"."tehsils"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "postings_official_idx" ON "postings" USING btree ("official_id");--> statement-breakpoint
INSERT INTO "postings" ("official_id", "role", "level", "district_code", "department_id", "valid_from")
SELECT "id", "role", CASE WHEN "district_code" IS NULL THEN 'state' ELSE 'district' END, "district_code", "department_id", current_date FROM "officials";
