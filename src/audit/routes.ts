/**
 * The audit trail for auditors: search by application (reference number),
 * user (username, as actor) and IST dates, and export the result as CSV.
 * Each search is itself audited.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { findApplicationByReference, normaliseReference } from "../applications/service.ts";
import { toCsv } from "../common/csv-export.ts";
import { findOfficialByUsername } from "../identity/service.ts";
import { staffOrRedirect } from "../identity/session.ts";
import { staffNav } from "../workflow/routes.ts";
import {
  type AuditQuery,
  appendAudit,
  searchAudit,
  verifyAnchors,
  verifyAudit,
} from "./service.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Registers `/audit` and `/audit/export.csv`. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;

  /** Turns the query string into a search; unknown references or users match nothing. */
  async function queryOf(
    request: FastifyRequest,
  ): Promise<{ filters: Record<string, string>; query: AuditQuery | undefined }> {
    const q = request.query as Record<string, unknown>;
    const str = (k: string) =>
      typeof q[k] === "string" ? (q[k] as string).trim().slice(0, 64) : "";
    const filters = {
      reference: str("reference"),
      username: str("username"),
      from: str("from"),
      to: str("to"),
    };
    const query: AuditQuery = { limit: 1000 };
    if (filters.reference) {
      const ref = normaliseReference(filters.reference);
      const row = ref ? await findApplicationByReference(db, ref) : undefined;
      if (!row) return { filters, query: undefined };
      query.stream = `application:${row.id}`;
    }
    if (filters.username) {
      const o = await findOfficialByUsername(db, filters.username.toLowerCase());
      if (!o) return { filters, query: undefined };
      query.actor = `official:${o.id}`;
    }
    if (DATE.test(filters.from)) query.from = filters.from;
    if (DATE.test(filters.to)) query.to = filters.to;
    return { filters, query };
  }

  const columns = [
    { key: "at", header: "at" },
    { key: "stream", header: "stream" },
    { key: "seq", header: "seq" },
    { key: "actor", header: "actor" },
    { key: "action", header: "action" },
    { key: "data", header: "data" },
    { key: "hash", header: "hash" },
  ];

  app.get("/audit", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "audit.view");
    if (!staff) return reply;
    const { filters, query } = await queryOf(request);
    const searched = Object.values(filters).some(Boolean);
    const records = searched && query ? await searchAudit(db, query) : [];
    if (searched) {
      await db.transaction((tx) =>
        appendAudit(tx, {
          stream: `official:${staff.official.id}`,
          actor: `official:${staff.official.id}`,
          action: "audit.searched",
          data: filters,
          at: new Date().toISOString(),
        }),
      );
    }
    const chain = await verifyAudit(db);
    const anchors = await verifyAnchors(db);
    return reply.view("audit/views/audit.njk", {
      official: staff.official,
      filters,
      searched,
      records: records.map((r) => ({ ...r, data: JSON.stringify(r.data) })),
      exportQuery: new URLSearchParams(filters).toString(),
      chain,
      anchors,
      navItems: staffNav(request, staff),
    });
  });

  app.get("/audit/export.csv", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "audit.view");
    if (!staff) return reply;
    const { filters, query } = await queryOf(request);
    const records = query ? await searchAudit(db, { ...query, limit: 100_000 }) : [];
    await db.transaction((tx) =>
      appendAudit(tx, {
        stream: `official:${staff.official.id}`,
        actor: `official:${staff.official.id}`,
        action: "audit.exported",
        data: { ...filters, rows: records.length },
        at: new Date().toISOString(),
      }),
    );
    return reply
      .header("Content-Type", "text/csv; charset=utf-8")
      .header("Content-Disposition", 'attachment; filename="sewa-audit.csv"')
      .header("Cache-Control", "private, no-store")
      .send(
        toCsv(
          columns,
          records.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
        ),
      );
  });
}
