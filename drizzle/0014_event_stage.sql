ALTER TABLE "application_events" ADD COLUMN "definition_action" text;--> statement-breakpoint
ALTER TABLE "application_events" ADD COLUMN "stage" text;