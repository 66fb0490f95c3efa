import { defineConfig } from "drizzle-kit";

/** drizzle-kit: generates SQL migrations into `drizzle/` from `src/db/schema.ts`. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
