CREATE SEQUENCE "public"."doorstep_visit_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "cash_closes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kendra_code" text NOT NULL,
	"counter" integer NOT NULL,
	"business_date" date NOT NULL,
	"official_id" integer NOT NULL,
	"receipts" integer NOT NULL,
	"expected_paise" bigint NOT NULL,
	"counted_paise" bigint NOT NULL,
	"difference_paise" bigint NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"manager_remark" text
);
--> statement-breakpoint
CREATE TABLE "doorstep_fees" (
	"effective_from" date PRIMARY KEY NOT NULL,
	"visit_fee_paise" bigint NOT NULL,
	"source" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doorstep_visit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"visit_id" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"by" text NOT NULL,
	"actor_id" integer,
	"reason" text,
	"from_date" date,
	"from_slot" text,
	"to_date" date,
	"to_slot" text
);
--> statement-breakpoint
CREATE TABLE "doorstep_visits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"purpose" text DEFAULT 'application' NOT NULL,
	"mobile" text NOT NULL,
	"citizen_name" text NOT NULL,
	"address" text NOT NULL,
	"district_code" integer NOT NULL,
	"tehsil_code" integer NOT NULL,
	"service_id" integer NOT NULL,
	"visit_date" date NOT NULL,
	"slot" text NOT NULL,
	"facilitator_id" integer NOT NULL,
	"status" text DEFAULT 'booked' NOT NULL,
	"booked_by" integer,
	"booked_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"application_id" bigint,
	"idempotency_key" text,
	CONSTRAINT "doorstep_visits_number_unique" UNIQUE("number"),
	CONSTRAINT "doorstep_visits_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "facilitators" (
	"official_id" integer PRIMARY KEY NOT NULL,
	"district_code" integer NOT NULL,
	"tehsil_code" integer NOT NULL,
	"capacity_per_slot" integer DEFAULT 2 NOT NULL,
	"active" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"application_id" bigint,
	"token_id" bigint,
	"kendra_code" text,
	"counter" integer,
	"visit_id" bigint,
	"mobile" text NOT NULL,
	"rating" integer,
	"comment" text,
	"sent_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	CONSTRAINT "feedback_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "handovers" (
	"application_id" bigint PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"ready_at" timestamp with time zone NOT NULL,
	"reminded_at" timestamp with time zone,
	"handed_over_at" timestamp with time zone,
	"handed_over_by" integer,
	"kendra_code" text,
	"counter" integer,
	"visit_id" bigint
);
--> statement-breakpoint
CREATE TABLE "kendra_token_counters" (
	"kendra_code" text NOT NULL,
	"service_date" date NOT NULL,
	"last" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kendras" (
	"code" text PRIMARY KEY NOT NULL,
	"name_en" text NOT NULL,
	"name_pa" text NOT NULL,
	"name_hi" text NOT NULL,
	"district_code" integer NOT NULL,
	"tehsil_code" integer,
	"type" text NOT NULL,
	"counters" integer NOT NULL,
	"opens_at" text DEFAULT '09:00' NOT NULL,
	"closes_at" text DEFAULT '17:00' NOT NULL,
	"weekly_off" integer,
	"latitude" text,
	"longitude" text,
	"address" text DEFAULT '' NOT NULL,
	"active" integer DEFAULT 1 NOT NULL,
	"source" text DEFAULT 'illustrative' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kendra_code" text NOT NULL,
	"service_date" date NOT NULL,
	"number" integer NOT NULL,
	"kind" text NOT NULL,
	"booked_via" text DEFAULT 'kiosk' NOT NULL,
	"slot" text,
	"service_id" integer,
	"mobile" text,
	"status" text NOT NULL,
	"counter" integer,
	"called_by" integer,
	"booked_at" timestamp with time zone,
	"issued_at" timestamp with time zone,
	"called_at" timestamp with time zone,
	"served_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"application_id" bigint,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tokens_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "kendra_code" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "counter" integer;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "visit_id" bigint;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "assisted_by" integer;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "consent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "otp_codes" ADD COLUMN "purpose" text DEFAULT 'sign_in' NOT NULL;--> statement-breakpoint
ALTER TABLE "otp_codes" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "kendra_code" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "counter" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "visit_id" bigint;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "visit_fee_paise" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "postings" ADD COLUMN "kendra_code" text;--> statement-breakpoint
ALTER TABLE "cash_closes" ADD CONSTRAINT "cash_closes_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cash_closes" ADD CONSTRAINT "cash_closes_official_id_officials_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cash_closes" ADD CONSTRAINT "cash_closes_decided_by_officials_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visit_events" ADD CONSTRAINT "doorstep_visit_events_visit_id_doorstep_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."doorstep_visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visit_events" ADD CONSTRAINT "doorstep_visit_events_actor_id_officials_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_tehsil_code_tehsils_code_fk" FOREIGN KEY ("tehsil_code") REFERENCES "public"."tehsils"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_facilitator_id_officials_id_fk" FOREIGN KEY ("facilitator_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_booked_by_officials_id_fk" FOREIGN KEY ("booked_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doorstep_visits" ADD CONSTRAINT "doorstep_visits_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilitators" ADD CONSTRAINT "facilitators_official_id_officials_id_fk" FOREIGN KEY ("official_id") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilitators" ADD CONSTRAINT "facilitators_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilitators" ADD CONSTRAINT "facilitators_tehsil_code_tehsils_code_fk" FOREIGN KEY ("tehsil_code") REFERENCES "public"."tehsils"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_token_id_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_handed_over_by_officials_id_fk" FOREIGN KEY ("handed_over_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kendra_token_counters" ADD CONSTRAINT "kendra_token_counters_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kendras" ADD CONSTRAINT "kendras_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kendras" ADD CONSTRAINT "kendras_tehsil_code_tehsils_code_fk" FOREIGN KEY ("tehsil_code") REFERENCES "public"."tehsils"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_called_by_officials_id_fk" FOREIGN KEY ("called_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cash_closes_once_per_counter_day" ON "cash_closes" USING btree ("kendra_code","counter","business_date");--> statement-breakpoint
CREATE INDEX "doorstep_visit_events_visit_idx" ON "doorstep_visit_events" USING btree ("visit_id","id");--> statement-breakpoint
CREATE INDEX "doorstep_visits_facilitator_day_idx" ON "doorstep_visits" USING btree ("facilitator_id","visit_date","slot");--> statement-breakpoint
CREATE INDEX "doorstep_visits_tehsil_day_idx" ON "doorstep_visits" USING btree ("tehsil_code","visit_date");--> statement-breakpoint
CREATE INDEX "feedback_kendra_idx" ON "feedback" USING btree ("kendra_code","sent_at");--> statement-breakpoint
CREATE INDEX "handovers_ready_idx" ON "handovers" USING btree ("status","ready_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kendra_token_counters_pk" ON "kendra_token_counters" USING btree ("kendra_code","service_date");--> statement-breakpoint
CREATE INDEX "kendras_district_idx" ON "kendras" USING btree ("district_code");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_number_per_day" ON "tokens" USING btree ("kendra_code","service_date","number");--> statement-breakpoint
CREATE INDEX "tokens_queue_idx" ON "tokens" USING btree ("kendra_code","service_date","status");--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_assisted_by_officials_id_fk" FOREIGN KEY ("assisted_by") REFERENCES "public"."officials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_kendra_code_kendras_code_fk" FOREIGN KEY ("kendra_code") REFERENCES "public"."kendras"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applications_kendra_idx" ON "applications" USING btree ("kendra_code","received_at");