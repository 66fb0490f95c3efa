/**
 * The integration domain's routes (issue 10), one plugin registered by
 * src/web/app.ts: the integration API for department systems (src/integration/api.ts).
 */
import type { FastifyInstance } from "fastify";
import { registerIntegrationApi } from "./api.ts";

/** Registers every integration route. */
export async function integrationRoutes(app: FastifyInstance): Promise<void> {
  await registerIntegrationApi(app);
}
