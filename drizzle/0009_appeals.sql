CREATE TABLE "appeals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" bigint NOT NULL,
	"level" integer NOT NULL,
	"status" text NOT NULL,
	"cause" text NOT NULL,
	"grounds" text NOT NULL,
	"filed_by" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"decision_due" date NOT NULL,
	"hearing_at" timestamp with time zone,
	"hearing_notice" text,
	"outcome" text,
	"order_text" text,
	"order_number" text,
	"deliver_within_days" integer,
	"decided_at" timestamp with time zone,
	"decided_by" integer,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "penalties" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"appeal_id" bigint NOT NULL,
	"application_id" bigint NOT NULL,
	"official_id" integer,
	"officer_name" text NOT NULL,
	"days_late" integer NOT NULL,
	"amount_paise" bigint NOT NULL,
	"compensation_paise" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"status_note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "ordered_due_date" date;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "kind" text DEFAULT 'attachment' NOT NULL;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_decided_by_officials_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "penalties" ADD CONSTRAINT "penalties_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "penalties" ADD CONSTRAINT "penalties_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "penalties" ADD CONSTRAINT "penalties_official_id_officials_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appeals_application_idx" ON "appeals" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_one_per_level" ON "appeals" USING btree ("application_id","level");--> statement-breakpoint
CREATE INDEX "penalties_official_idx" ON "penalties" USING btree ("official_id");--> statement-breakpoint
CREATE UNIQUE INDEX "penalties_one_per_appeal" ON "penalties" USING btree ("appeal_id");