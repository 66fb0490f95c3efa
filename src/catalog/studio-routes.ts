/**
 * The PMU studio (issue 3; pages for the `pmu_admin` role, permission
 * `definitions.manage`): the onboarding board of every notified service,
 * uploading or editing a definition with precise lint findings, a preview of
 * the citizen form exactly as citizens see it in each language, review,
 * publish, retire, and the diff between any two versions.
 *
 * Every change goes through `definitions/versions.ts` (one transaction each,
 * audited in the stream `definition:<code>`).
 */
import { readFile } from "node:fs/promises";
import { diffLines } from "diff";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { inLang } from "../applications/definition-summary.ts";
import { fieldView } from "../applications/definition-view.ts";
import { DomainError } from "../common/errors.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { type Staff, staffOrRedirect } from "../identity/session.ts";
import { readMultipart } from "../web/multipart.ts";
import { staffNav } from "../workflow/routes.ts";
import { LANGS } from "./definitions/schema.ts";
import type { Lang, LintIssue, ServiceDefinition } from "./definitions/types.ts";
import {
  checkDefinitionText,
  type DefinitionVersion,
  markReviewed,
  ONBOARDING_STAGES,
  onboardingBoard,
  publishDefinition,
  retireDefinition,
  saveDefinitionDraft,
  versionsOf,
} from "./definitions/versions.ts";

/** Largest definition text accepted (bytes); the longest real definition is about 100 KB. */
export const MAX_DEFINITION_BYTES = 512 * 1024;

/** The banner query parameters of the definition page, each only when it is a known value (no reflected text). */
function pick(q: Record<string, string>, keys: string[], actions: string[]) {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = q[k];
    if (v && (k === "saved" ? /^\d{1,6}$/.test(v) : actions.includes(v))) out[k] = v;
  }
  return out;
}

/** Registers the studio pages. */
export async function studioRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock } = app.deps;
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    staffOrRedirect(request, reply, "definitions.manage");
  const by = (staff: Staff) => `official:${staff.official.id}`;

  // The definition JSON Schema, for editors and for analysts (public: it holds no data).
  app.get(
    "/schemas/service-definition.schema.json",
    { schema: { hide: true } },
    async (_req, reply) =>
      reply
        .type("application/schema+json")
        .send(
          await readFile(new URL("../../schemas/service-definition.schema.json", import.meta.url)),
        ),
  );

  app.get("/studio", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const q = request.query as { stage?: string; department?: string };
    const all = await onboardingBoard(db);
    const departments = [...new Set(all.map((r) => r.department))].sort();
    const counts = departments.map((d) => {
      const rows = all.filter((r) => r.department === d);
      return {
        department: d,
        total: rows.length,
        ...Object.fromEntries(
          ONBOARDING_STAGES.map((s) => [s, rows.filter((r) => r.stage === s).length]),
        ),
      };
    });
    const rows = all.filter(
      (r) =>
        (!q.department || r.department === q.department) &&
        (!q.stage || (q.stage === "offline" ? r.stage !== "published" : r.stage === q.stage)),
    );
    return reply.view("catalog/views/studio-board.njk", {
      navItems: staffNav(request, staff),
      rows,
      counts,
      totals: Object.fromEntries(
        ONBOARDING_STAGES.map((s) => [s, all.filter((r) => r.stage === s).length]),
      ),
      total: all.length,
      departments,
      stages: ONBOARDING_STAGES,
      filter: { stage: q.stage ?? "", department: q.department ?? "" },
    });
  });

  // ---------------------------------------------------------------- upload and edit

  async function renderEditor(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    opts: { source: string; issues: LintIssue[]; code?: string; status?: number },
  ) {
    return reply.code(opts.status ?? 200).view("catalog/views/studio-edit.njk", {
      navItems: staffNav(request, staff),
      source: opts.source,
      issues: opts.issues,
      code: opts.code,
      errors: opts.issues
        .filter((i) => i.severity === "error")
        .slice(0, 20)
        .map((i) => ({
          text: `${i.line ? `line ${i.line}: ` : ""}${i.path}: ${i.message}`,
          href: "#source",
        })),
    });
  }

  app.get("/studio/new", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    return renderEditor(request, reply, staff, { source: "", issues: [] });
  });

  /** Reads the posted definition: an uploaded `.yaml` file, else the `source` text box. */
  async function postedSource(request: FastifyRequest): Promise<{ source: string; file?: string }> {
    const body = await readMultipart(request);
    const file = body.files.find((f) => f.field === "file");
    if (file?.tooLarge)
      throw new DomainError("too_large", "The definition file is too large", [
        { field: "source", code: "too_large", params: { max: MAX_DEFINITION_BYTES } },
      ]);
    if (file && !file.tooLarge && file.bytes.length > 0)
      return { source: file.bytes.toString("utf8"), file: file.filename };
    const text = body.fields.source;
    return { source: typeof text === "string" ? text.replace(/\r\n/g, "\n") : "" };
  }

  app.post("/studio/definitions", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const { source } = await postedSource(request);
    if (Buffer.byteLength(source, "utf8") > MAX_DEFINITION_BYTES || !source.trim()) {
      const issue: LintIssue = {
        file: "definition.yaml",
        path: "(root)",
        code: source.trim() ? "file.too_large" : "file.empty",
        message: source.trim()
          ? `the definition is over ${MAX_DEFINITION_BYTES} bytes`
          : "paste the definition or choose a YAML file",
        severity: "error",
      };
      return renderEditor(request, reply, staff, { source, issues: [issue], status: 400 });
    }
    const checked = checkDefinitionText(source);
    if (!checked.definition)
      return renderEditor(request, reply, staff, { source, issues: checked.issues, status: 400 });
    const { draft } = await saveDefinitionDraft(db, { source, by: by(staff), now: clock.now() });
    return reply.redirect(`/studio/definitions/${draft.code}?saved=${draft.version}`, 303);
  });

  // ---------------------------------------------------------------- one definition

  async function versionsOrThrow(code: string) {
    const versions = await versionsOf(db, code);
    if (versions.length === 0) throw new DomainError("not_found", "No such definition");
    return versions;
  }

  app.get("/studio/definitions/:code", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const { code } = request.params as { code: string };
    const versions = await versionsOrThrow(code);
    const latest = versions[0] as DefinitionVersion;
    const { issues } = checkDefinitionText(latest.source);
    const def = latest.definition as unknown as ServiceDefinition;
    return reply.view("catalog/views/studio-definition.njk", {
      navItems: staffNav(request, staff),
      code,
      name: inLang(def.name, request.lang as Lang),
      versions,
      latest,
      issues,
      errorCount: issues.filter((i) => i.severity === "error").length,
      langs: LANGS,
      ...pick(
        request.query as Record<string, string>,
        ["saved", "done", "refused"],
        ["review", "publish", "retire"],
      ),
    });
  });

  app.post(
    "/studio/definitions/:code/:action",
    { schema: { hide: true } },
    async (request, reply) => {
      const staff = await guard(request, reply);
      if (!staff) return reply;
      const { code, action } = request.params as { code: string; action: string };
      const body = (request.body ?? {}) as Record<string, string>;
      const versions = await versionsOrThrow(code);
      const target = versions.find((v) => v.version === Number(body.version));
      if (!target) throw new DomainError("not_found", "No such version");
      const now = clock.now();
      try {
        if (action === "review") await markReviewed(db, target.id, by(staff), now);
        else if (action === "publish") await publishDefinition(db, target.id, by(staff), now);
        else if (action === "retire") await retireDefinition(db, target.id, by(staff), now);
        else throw new DomainError("not_found", "No such action");
      } catch (e) {
        if (
          e instanceof DomainError &&
          (e.kind === "validation" || e.kind === "invalid_transition")
        )
          return reply.redirect(`/studio/definitions/${code}?refused=${action}`, 303);
        throw e;
      }
      return reply.redirect(`/studio/definitions/${code}?done=${action}`, 303);
    },
  );

  // ---------------------------------------------------------------- preview and diff

  app.get(
    "/studio/definitions/:code/versions/:version/preview/:pageId?",
    { schema: { hide: true } },
    async (request, reply) => {
      const staff = await guard(request, reply);
      if (!staff) return reply;
      const { code, version, pageId } = request.params as {
        code: string;
        version: string;
        pageId?: string;
      };
      const row = (await versionsOrThrow(code)).find((v) => v.version === Number(version));
      if (!row) throw new DomainError("not_found", "No such version");
      const def = row.definition as unknown as ServiceDefinition;
      const lang = request.lang as Lang;
      const pages = def.form.pages;
      const index = Math.max(0, pageId ? pages.findIndex((p) => p.id === pageId) : 0);
      const page = pages[index];
      if (!page) throw new DomainError("not_found", "No such page");
      const [districts, tehsils] = await Promise.all([listDistricts(db), listTehsils(db)]);
      const base = `/studio/definitions/${code}/versions/${version}/preview`;
      return reply.view("applications/views/definition-page.njk", {
        preview: {
          base,
          next: pages[index + 1] ? `${base}/${pages[index + 1]?.id}` : undefined,
          pages: pages.map((p) => ({
            id: p.id,
            title: inLang(p.title, lang),
            current: p.id === page.id,
          })),
          version,
        },
        draftId: "",
        serviceName: inLang(def.name, lang),
        title: inLang(page.title, lang),
        hint: inLang(page.hint, lang),
        page,
        // Every question is shown, conditional ones too, so that the analyst sees them all.
        fields: page.fields.map((f) => fieldView(f, lang, {}, {}, "")),
        errors: [],
        multipart: false,
        accept: "application/pdf,image/jpeg,image/png",
        districts,
        tehsils,
      });
    },
  );

  app.get("/studio/definitions/:code/diff", { schema: { hide: true } }, async (request, reply) => {
    const staff = await guard(request, reply);
    if (!staff) return reply;
    const { code } = request.params as { code: string };
    const q = request.query as { from?: string; to?: string };
    const versions = await versionsOrThrow(code);
    const to = versions.find((v) => v.version === Number(q.to)) ?? versions[0];
    const from =
      versions.find((v) => v.version === Number(q.from)) ??
      versions.find((v) => v.version === (to?.version ?? 0) - 1) ??
      to;
    if (!to || !from) throw new DomainError("not_found", "No such version");
    const lines: {
      kind: "added" | "removed" | "same";
      text: string;
      old?: number;
      new?: number;
    }[] = [];
    let a = 1;
    let b = 1;
    for (const part of diffLines(from.source, to.source)) {
      const texts = part.value.replace(/\n$/, "").split("\n");
      for (const text of texts) {
        if (part.added) lines.push({ kind: "added", text, new: b++ });
        else if (part.removed) lines.push({ kind: "removed", text, old: a++ });
        else lines.push({ kind: "same", text, old: a++, new: b++ });
      }
    }
    // Unchanged stretches are folded to 3 lines of context around each change.
    const near = (i: number) =>
      lines.slice(Math.max(0, i - 3), i + 4).some((l) => l.kind !== "same");
    const shown = lines.map((l, i) => ({ ...l, fold: l.kind === "same" && !near(i) }));
    return reply.view("catalog/views/studio-diff.njk", {
      navItems: staffNav(request, staff),
      code,
      versions,
      from,
      to,
      lines: shown.filter((l, i) => !l.fold || (i > 0 && !shown[i - 1]?.fold)),
      added: lines.filter((l) => l.kind === "added").length,
      removed: lines.filter((l) => l.kind === "removed").length,
    });
  });
}
