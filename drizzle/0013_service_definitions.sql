CREATE TABLE "service_definitions" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"source" text NOT NULL,
	"definition" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"service_id" integer,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_at" timestamp with time zone,
	"reviewed_by" text,
	"published_at" timestamp with time zone,
	"published_by" text,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "definition_id" integer;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "stage" text;--> statement-breakpoint
ALTER TABLE "drafts" ADD COLUMN "definition_id" integer;--> statement-breakpoint
ALTER TABLE "drafts" ADD COLUMN "last_page" text;--> statement-breakpoint
ALTER TABLE "service_definitions" ADD CONSTRAINT "service_definitions_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "service_definitions_code_version" ON "service_definitions" USING btree ("code","version");--> statement-breakpoint
CREATE UNIQUE INDEX "service_definitions_one_published" ON "service_definitions" USING btree ("code") WHERE "service_definitions"."status" = 'published';--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_definition_id_service_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."service_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_definition_id_service_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."service_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A definition version is immutable once it leaves draft: its text and parsed
-- form may not change (issue 3: "publishing creates an immutable version").
CREATE OR REPLACE FUNCTION service_definitions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'service definition % v% is % and cannot be deleted', OLD.code, OLD.version, OLD.status;
    END IF;
    IF NEW.source IS DISTINCT FROM OLD.source OR NEW.definition IS DISTINCT FROM OLD.definition
        OR NEW.version IS DISTINCT FROM OLD.version OR NEW.code IS DISTINCT FROM OLD.code THEN
      RAISE EXCEPTION 'service definition % v% is % and cannot be changed', OLD.code, OLD.version, OLD.status;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER service_definitions_immutable BEFORE UPDATE OR DELETE ON service_definitions
  FOR EACH ROW EXECUTE FUNCTION service_definitions_immutable();
