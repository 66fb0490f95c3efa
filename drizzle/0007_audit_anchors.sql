CREATE TABLE "audit_anchors" (
	"day" date PRIMARY KEY NOT NULL,
	"up_to_id" bigint NOT NULL,
	"root" text NOT NULL,
	"streams" integer NOT NULL,
	"records" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
