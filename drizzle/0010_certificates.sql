CREATE TABLE "certificates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"application_id" bigint NOT NULL,
	"issue_number" integer NOT NULL,
	"token" text NOT NULL,
	"kid" text NOT NULL,
	"document_id" uuid,
	"issued_at" timestamp with time zone NOT NULL,
	"issued_by" integer,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	"revoke_reason" text,
	"replaced_by" text,
	CONSTRAINT "certificates_serial_unique" UNIQUE("serial")
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_issued_by_officials_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_revoked_by_officials_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "certificates_application_idx" ON "certificates" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_one_issue_number" ON "certificates" USING btree ("application_id","issue_number");