/**
 * The integration domain's routes (issue 10), one plugin registered by
 * src/web/app.ts: the integration API for department systems
 * (src/integration/api.ts), Open311 GeoReport v2 (src/integration/open311.ts),
 * the Commission's pendency feed (src/integration/pendency.ts) and the
 * administration pages (src/integration/admin-routes.ts).
 */
import type { FastifyInstance } from "fastify";
import { integrationAdminRoutes } from "./admin-routes.ts";
import { registerIntegrationApi } from "./api.ts";
import { registerOpen311 } from "./open311.ts";
import { registerPendencyFeed } from "./pendency.ts";

/** Registers every integration route. */
export async function integrationRoutes(app: FastifyInstance): Promise<void> {
  await registerIntegrationApi(app);
  await registerOpen311(app);
  await registerPendencyFeed(app);
  await integrationAdminRoutes(app);
}
