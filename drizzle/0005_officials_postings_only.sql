ALTER TABLE "officials" DROP CONSTRAINT "officials_district_code_districts_code_fk";
--> statement-breakpoint
ALTER TABLE "officials" DROP CONSTRAINT "officials_department_id_departments_id_fk";
--> statement-breakpoint
ALTER TABLE "officials" DROP COLUMN "role";--> statement-breakpoint
ALTER TABLE "officials" DROP COLUMN "district_code";--> statement-breakpoint
ALTER TABLE "officials" DROP COLUMN "department_id";