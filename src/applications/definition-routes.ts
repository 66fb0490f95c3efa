/**
 * Citizen pages for services with a published definition (issue 3): a start
 * page, a task list, one page of questions at a time (GOV.UK "one thing per
 * page"), the document checklist, check your answers with "Change" links,
 * submission, and the reply to a deficiency. Work without JavaScript.
 *
 * The draft is kept server-side for 30 days (DRAFT_TTL_DAYS) under an
 * unguessable id; a citizen signed in with mobile OTP finds their drafts on
 * `/my` ("save and come back later"). Each page saves what it was given,
 * valid or not, except an Aadhaar number, which is kept only masked and only
 * once it is valid.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { compileForm, type FormError } from "../catalog/definitions/compile.ts";
import { computeFee, formatRupees } from "../catalog/definitions/fees.ts";
import type { Lang, ServiceDefinition } from "../catalog/definitions/types.ts";
import {
  definitionOf,
  type LiveDefinition,
  liveDefinitionOf,
} from "../catalog/definitions/versions.ts";
import { getService, type ServiceWithDepartment } from "../catalog/service.ts";
import { DomainError } from "../common/errors.ts";
import { normaliseMobile } from "../common/text.ts";
import type { Queryable } from "../db/client.ts";
import { withoutDoorstepVisitLines } from "../doorstep/service.ts";
import { localPlaces } from "../geography/local-names.ts";
import { listDistricts, listTehsils, tehsilsByDistrict } from "../geography/service.ts";
import { assistedDraftAccess } from "../kendras/assisted/access.ts";
import { istDateOf } from "../sla/clock.ts";
import { readMultipart } from "../web/multipart.ts";
import { resubmitByDefinition } from "./definition-decisions.ts";
import {
  APPLICANT_NAME_PA,
  answersForValidation,
  applicantFields,
  applicantOf,
  channelFact,
  type DefinitionDraftData,
  documentChecklist,
  domIdOf,
  draftDataOf,
  errorsFor,
  feeOf,
  nextPage,
  pageAnswers,
  taskList,
} from "./definition-form.ts";
import { inLang, type SummarySection, summarise } from "./definition-summary.ts";
import { fieldView } from "./definition-view.ts";
import { messageKey, messageParams } from "./generic-form.ts";
import { citizenGrants } from "./grants.ts";
import { checkGurmukhiName, suggestGurmukhi } from "./gurmukhi-name.ts";
import type { ApplicationRow } from "./repository.ts";
import * as svc from "./service.ts";
import { acceptAttribute, inspectUpload } from "./uploads.ts";

type Body = Record<string, string | string[]>;

/** The start page of a definition service (called by the generic apply route). */
export function renderStart(
  request: FastifyRequest,
  reply: FastifyReply,
  service: ServiceWithDepartment,
  live: LiveDefinition,
  error?: string,
) {
  const def = live.definition;
  const lang = request.lang as Lang;
  return reply.code(error ? 400 : 200).view("applications/views/definition-start.njk", {
    service,
    def,
    online: def.channels.online.enabled,
    description: inLang(def.description, lang),
    eligibility: def.eligibility.map((e) => inLang(e.text, lang)),
    documents: def.documents.items.map((d) => ({
      name: inLang(d.name, lang),
      optional: d.required === false || Boolean(d.when),
    })),
    groups: (def.documents.groups ?? []).map((g) => inLang(g.name, lang)),
    errors: error ? [{ text: error, href: "#privacyConsent" }] : [],
    error,
  });
}

/**
 * The check-your-answers sections of a filed definition application, in the
 * reader's language (for the acknowledgement and the officer's desk), or
 * undefined for a generic application.
 */
export async function definitionSummary(
  q: Queryable,
  row: ApplicationRow,
  request: FastifyRequest,
): Promise<SummarySection[] | undefined> {
  if (row.definitionId === null) return undefined;
  const def = await definitionOf(q, row.definitionId);
  const data = row.formData as { answers?: Record<string, unknown> };
  const answers = data.answers ?? {};
  const [districts, tehsils, docs] = await Promise.all([
    listDistricts(q).then((r) => localPlaces("district", r, request.lang)),
    listTehsils(q, row.districtCode).then((r) => localPlaces("tehsil", r, request.lang)),
    svc.applicationDocuments(q, row.id),
  ]);
  const files = new Map(docs.map((d) => [d.id, d.filename]));
  const sections = summarise(
    def,
    answers,
    compileForm(def).visiblePages(answers),
    request.lang as Lang,
    {
      date: (d) => request.fmt.date(d),
      number: (n) => request.fmt.number(n),
      yes: request.t("common.yes"),
      no: request.t("common.no"),
      district: (c) => districts.find((d) => d.code === c)?.name ?? String(c),
      tehsil: (c) => tehsils.find((t) => t.code === c)?.name ?? String(c),
      file: (id) => files.get(id) ?? id,
    },
  );
  return withGurmukhiName(sections, def, answers, request.t("apply.nameGurmukhi"));
}

/**
 * `sections` with a row for the applicant's name in Gurmukhi
 * ({@link APPLICANT_NAME_PA}) right after the name question's row, when it
 * was given. `label` is the row's key in the reader's language.
 */
export function withGurmukhiName(
  sections: SummarySection[],
  def: ServiceDefinition,
  answers: Record<string, unknown>,
  label: string,
): SummarySection[] {
  const value = answers[APPLICANT_NAME_PA];
  const nameField = applicantFields(def).name;
  if (typeof value !== "string" || !value || !nameField) return sections;
  return sections.map((section) => {
    const i = section.rows.findIndex((r) => r.fieldId === nameField);
    if (i < 0) return section;
    const rows = [...section.rows];
    rows.splice(i + 1, 0, {
      key: label,
      lines: [value],
      pageId: section.pageId,
      fieldId: APPLICANT_NAME_PA,
    });
    return { ...section, rows };
  });
}

/** Registers the definition pages. */
export async function definitionRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;

  async function loadDraft(request: FastifyRequest) {
    const { draftId } = request.params as { draftId: string };
    const draft = await svc.findDraft(db, draftId, clock.now().toString());
    if (!draft || draft.definitionId === null)
      throw new DomainError("not_found", "This draft does not exist or has expired");
    // An assisted draft opens only for the staff filling it (src/kendras/assisted/access.ts; 404 otherwise).
    await assistedDraftAccess(request, draft);
    const def = await definitionOf(db, draft.definitionId);
    return { draft, def, form: compileForm(def), data: draftDataOf(draft.data) };
  }

  const context = async () => ({
    today: istDateOf(clock.now()),
    tehsilsByDistrict: await tehsilsByDistrict(db),
  });

  async function validation(def: ServiceDefinition, data: DefinitionDraftData, lang: Lang) {
    const form = compileForm(def);
    const result = form.validate(answersForValidation(data), lang, await context());
    return { form, result, errors: result.ok ? [] : result.errors };
  }

  async function places(lang: string) {
    const [districts, tehsils] = await Promise.all([
      listDistricts(db).then((r) => localPlaces("district", r, lang)),
      listTehsils(db).then((r) => localPlaces("tehsil", r, lang)),
    ]);
    return { districts, tehsils };
  }

  // ---------------------------------------------------------------- start

  app.post("/services/:id/start", { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const service = await getService(db, Number(id));
    if (!service) throw new DomainError("not_found", "No such service");
    const live = await liveDefinitionOf(db, service.id);
    // A service the definition does not offer online is applied for at a Sewa Kendra or the doorstep.
    if (!live || !live.definition.channels.online.enabled)
      return reply.redirect(`/services/${service.id}/apply`, 303);
    const body = (request.body ?? {}) as Body;
    if (body.privacyConsent !== "yes")
      return renderStart(
        request,
        reply,
        service,
        live,
        request.t("validation.generic.privacy_required"),
      );
    const draft = await svc.createDraft(
      db,
      service.id,
      { answers: {}, aadhaar: {}, documents: {}, privacyConsent: true },
      clock.now(),
      "online",
      live.id,
    );
    return reply.redirect(`/drafts/${draft.id}/tasks`, 303);
  });

  // ---------------------------------------------------------------- task list

  app.get("/drafts/:draftId/tasks", { schema: { hide: true } }, async (request, reply) => {
    const { draft, def, data } = await loadDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    const lang = request.lang as Lang;
    const { form, errors } = await validation(def, data, lang);
    const tasks = taskList(def, form, answersForValidation(data), errors);
    const checklist = documentChecklist(def, data.answers, data.documents);
    const formDone = tasks.every((t) => t.status === "completed");
    return reply.view("applications/views/definition-tasks.njk", {
      draft,
      def,
      title: inLang(def.name, lang),
      tasks: tasks.map((t) => ({
        title: t.title ? inLang(t.title, lang) : inLang(def.name, lang),
        href: `/drafts/${draft.id}/pages/${t.pages[0]?.id}`,
        status: t.status,
      })),
      documentsStatus:
        checklist.missing.length === 0
          ? "completed"
          : Object.keys(data.documents).length
            ? "in_progress"
            : "not_started",
      canCheck: formDone && checklist.missing.length === 0,
      expiresAt: draft.expiresAt,
    });
  });

  // ---------------------------------------------------------------- question pages

  function pageOf(def: ServiceDefinition, pageId: string) {
    const page = def.form.pages.find((p) => p.id === pageId);
    if (!page) throw new DomainError("not_found", "No such page");
    return page;
  }

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    opts: {
      draftId: string;
      def: ServiceDefinition;
      pageId: string;
      values: Record<string, unknown>;
      errors: FormError[];
      body?: Body;
      returnTo?: string;
      /** The Gurmukhi name as typed or suggested, and its error (shown after the name question). */
      namePa?: { value: string; error?: string };
    },
  ) {
    const lang = request.lang as Lang;
    const page = pageOf(opts.def, opts.pageId);
    const nameField = applicantFields(opts.def).name;
    const gurmukhiName =
      nameField && page.fields.some((f) => f.id === nameField)
        ? { after: nameField, value: opts.namePa?.value ?? "", error: opts.namePa?.error }
        : undefined;
    const byField = Object.fromEntries(opts.errors.map((e) => [e.field, e.message]));
    const shown = new Set(compileForm(opts.def).visibleFields(opts.values));
    const fields = page.fields
      .filter((f) => shown.has(f.id) || !f.when)
      .map((f) => fieldView(f, lang, opts.values, byField, "", opts.body));
    return reply
      .code(opts.errors.length ? 400 : 200)
      .view("applications/views/definition-page.njk", {
        draftId: opts.draftId,
        serviceName: inLang(opts.def.name, lang),
        title: inLang(page.title, lang),
        hint: inLang(page.hint, lang),
        page,
        fields,
        gurmukhiName,
        errors: opts.errors.map((e) => ({ text: e.message, href: `#${domIdOf(opts.def, e)}` })),
        returnTo: opts.returnTo,
        multipart: page.fields.some((f) => f.type === "file"),
        accept: acceptAttribute(["pdf", "jpeg", "png"]),
        ...(await places(lang)),
      });
  }

  app.get("/drafts/:draftId/pages/:pageId", { schema: { hide: true } }, async (request, reply) => {
    const { draft, def, data } = await loadDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    const { pageId } = request.params as { pageId: string };
    const q = request.query as { return?: string };
    return renderPage(request, reply, {
      draftId: draft.id,
      def,
      pageId,
      values: { ...data.answers, ...data.aadhaar },
      errors: [],
      namePa: { value: data.applicantNamePa ?? "" },
      ...(q.return === "check" ? { returnTo: "check" } : {}),
    });
  });

  app.post("/drafts/:draftId/pages/:pageId", { schema: { hide: true } }, async (request, reply) => {
    const { draft, def, data } = await loadDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    const { pageId } = request.params as { pageId: string };
    const page = pageOf(def, pageId);
    const lang = request.lang as Lang;
    const multipart = request.isMultipart();
    const body: Body = multipart
      ? (await readMultipart(request)).fields
      : ((request.body ?? {}) as Body);
    const returnTo = body._return === "check" ? "check" : undefined;
    const posted = pageAnswers(page, body);
    const answers: Record<string, unknown> = { ...data.answers, ...posted };
    // A repeating group's "add another" saves and shows the page again with one more item.
    const adding = typeof body._add === "string" ? body._add : undefined;
    for (const f of page.fields)
      if (f.type === "aadhaar" && posted[f.id]) delete data.aadhaar[f.id];
    const { form, errors } = await validation(def, { ...data, answers }, lang);
    const pageFields = new Set(page.fields.map((f) => f.id));
    const pageErrors = errorsFor(errors, pageFields);
    // The Gurmukhi name beside the name question; "Suggest Gurmukhi spelling" fills it from the English name.
    const nameField = applicantFields(def).name;
    const asksName = nameField !== undefined && pageFields.has(nameField);
    const suggesting = asksName && body._suggestGurmukhi === "yes";
    let namePa: { value: string; error?: string } | undefined;
    if (asksName) {
      const typed =
        typeof body[APPLICANT_NAME_PA] === "string" ? String(body[APPLICANT_NAME_PA]) : "";
      const english = typeof posted[nameField] === "string" ? String(posted[nameField]) : "";
      const raw = suggesting ? suggestGurmukhi(english) : typed.slice(0, 400);
      const checked = checkGurmukhiName(raw);
      if (checked.ok) {
        namePa = { value: checked.value ?? "" };
        if (checked.value) data.applicantNamePa = checked.value;
        else delete data.applicantNamePa;
      } else {
        const error = {
          field: "applicant.nameGurmukhi",
          code: checked.code,
          ...(checked.params ? { params: checked.params } : {}),
        };
        const message = request.t(messageKey(error), messageParams(error, lang));
        namePa = { value: raw, error: message };
        pageErrors.push({ field: APPLICANT_NAME_PA, code: checked.code, message });
      }
    }
    // Keep valid Aadhaar numbers only masked; never store one in clear.
    const result = form.validate(answersForValidation({ ...data, answers }), lang, await context());
    for (const f of page.fields) {
      if (f.type !== "aadhaar") continue;
      const given = answers[f.id];
      delete answers[f.id];
      const wrong = pageErrors.some((e) => e.field === f.id);
      if (given !== undefined && !wrong) {
        const masked = result.ok ? result.value[f.id] : undefined;
        data.aadhaar[f.id] = masked ?? { masked: `XXXX XXXX ${String(given).slice(-4)}` };
      }
    }
    const saved: DefinitionDraftData = { ...data, answers };
    // The mobile answer finds the draft again after an OTP sign-in ("save and come back later").
    const mobileField = applicantFields(def).mobile;
    const mobile = mobileField ? normaliseMobile(String(answers[mobileField] ?? "")) : undefined;
    if (mobile?.ok) saved.mobile = mobile.value;
    await svc.saveDraft(
      db,
      draft.id,
      saved as unknown as Record<string, unknown>,
      clock.now(),
      pageId,
    );
    if (adding || suggesting || pageErrors.length > 0) {
      const bodyForView = { ...body };
      if (adding) {
        const group = page.fields.find((f) => f.id === adding);
        const size = Array.isArray(posted[adding]) ? (posted[adding] as unknown[]).length : 0;
        if (group) bodyForView[`${adding}.${Math.max(size, 1)}._`] = "";
      }
      return renderPage(request, reply, {
        draftId: draft.id,
        def,
        pageId,
        values: { ...answers, ...posted },
        errors: adding || suggesting ? [] : pageErrors,
        body: bodyForView,
        ...(namePa ? { namePa } : {}),
        ...(returnTo ? { returnTo } : {}),
      });
    }
    if (returnTo) return reply.redirect(`/drafts/${draft.id}/check`, 303);
    const next = nextPage(form, answers, pageId);
    const task = (def.form.tasks ?? []).find((t) => t.pages.includes(pageId));
    if (next && (!task || task.pages.includes(next)))
      return reply.redirect(`/drafts/${draft.id}/pages/${next}`, 303);
    return reply.redirect(`/drafts/${draft.id}/tasks`, 303);
  });

  // ---------------------------------------------------------------- documents

  async function renderDocuments(
    request: FastifyRequest,
    reply: FastifyReply,
    draftId: string,
    def: ServiceDefinition,
    data: DefinitionDraftData,
    errors: { text: string; href: string }[] = [],
  ) {
    const lang = request.lang as Lang;
    const checklist = documentChecklist(def, data.answers, data.documents);
    const files = new Map((await svc.draftDocuments(db, draftId)).map((d) => [d.id, d]));
    return reply
      .code(errors.length ? 400 : 200)
      .view("applications/views/definition-documents.njk", {
        draftId,
        serviceName: inLang(def.name, lang),
        items: checklist.items.map((row) => ({
          id: row.item.id,
          name: inLang(row.item.name, lang),
          hint: inLang(row.item.hint, lang),
          group: row.group ? inLang(row.group.name, lang) : undefined,
          optional: row.item.required === false,
          accept: acceptAttribute(row.item.accept),
          maxBytes: row.item.maxBytes,
          files: row.uploads.map((id) => files.get(id)).filter(Boolean),
          error: errors.find((e) => e.href === `#doc-${row.item.id}`)?.text,
        })),
        errors,
      });
  }

  app.get("/drafts/:draftId/documents", { schema: { hide: true } }, async (request, reply) => {
    const { draft, def, data } = await loadDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    return renderDocuments(request, reply, draft.id, def, data);
  });

  app.post("/drafts/:draftId/documents", { schema: { hide: true } }, async (request, reply) => {
    const { draft, def, data } = await loadDraft(request);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    const lang = request.lang as Lang;
    // One file input per checklist document, each sent even when empty.
    const body = await readMultipart(request, { maxFiles: def.documents.items.length });
    const now = clock.now();
    const removals = [body.fields.remove ?? []].flat();
    for (const docId of removals) {
      await svc.removeDraftDocument(db, draft.id, docId);
      for (const k of Object.keys(data.documents))
        data.documents[k] = (data.documents[k] ?? []).filter((x) => x !== docId);
    }
    const errors: { text: string; href: string }[] = [];
    const items = new Map(def.documents.items.map((d) => [d.id, d]));
    for (const f of body.files) {
      const item = items.get(f.field.replace(/^doc-/, ""));
      if (!item) continue;
      const href = `#doc-${item.id}`;
      const fail = (code: string, params: Record<string, string | number>) =>
        errors.push({
          text: request.t(
            messageKey({ field: "documents", code, params }),
            messageParams({ field: "documents", code, params }, lang),
          ),
          href,
        });
      if (f.tooLarge) {
        fail("file.too_large", { filename: f.filename, limit: request.fmt.bytes(item.maxBytes) });
        continue;
      }
      const checked = await inspectUpload({
        filename: f.filename,
        declaredType: f.mimetype,
        bytes: f.bytes,
        maxBytes: item.maxBytes,
        accept: item.accept,
        locale: lang,
      });
      if (!checked.ok) {
        fail(checked.code, { ...checked.params, filename: f.filename });
        continue;
      }
      await store.put(f.bytes);
      const doc = await svc.addDraftDocument(
        db,
        draft.id,
        {
          filename: checked.filename,
          mime: checked.mime,
          size: checked.size,
          sha256: checked.sha256,
        },
        now,
      );
      data.documents[item.id] = [...(data.documents[item.id] ?? []), doc.id];
    }
    await svc.saveDraft(db, draft.id, data as unknown as Record<string, unknown>, now);
    if (errors.length || removals.length || body.fields._stay === "1")
      return renderDocuments(request, reply, draft.id, def, data, errors);
    const { missing } = documentChecklist(def, data.answers, data.documents);
    if (missing.length > 0) {
      const names = new Map([
        ...def.documents.items.map((d) => [d.id, inLang(d.name, lang)] as const),
        ...(def.documents.groups ?? []).map((g) => [g.id, inLang(g.name, lang)] as const),
      ]);
      const firstOf = (id: string) =>
        (def.documents.groups ?? []).find((g) => g.id === id)?.documents[0] ?? id;
      return renderDocuments(
        request,
        reply,
        draft.id,
        def,
        data,
        missing.map((id) => ({
          text: request.t("definitionForm.documentMissing", { name: names.get(id) ?? id }),
          href: `#doc-${firstOf(id)}`,
        })),
      );
    }
    return reply.redirect(`/drafts/${draft.id}/tasks`, 303);
  });

  // ---------------------------------------------------------------- check and submit

  async function ready(request: FastifyRequest) {
    const { draft, def, data } = await loadDraft(request);
    const lang = request.lang as Lang;
    const { form, result } = await validation(def, data, lang);
    const checklist = documentChecklist(def, data.answers, data.documents);
    if (!result.ok || checklist.missing.length > 0) return { ok: false as const, draft };
    const answers = {
      ...result.value,
      ...data.aadhaar,
      ...(data.applicantNamePa ? { [APPLICANT_NAME_PA]: data.applicantNamePa } : {}),
    };
    const applicant = applicantOf(def, answers);
    if (!applicant) return { ok: false as const, draft };
    return { ok: true as const, draft, def, data, form, answers, applicant, lang };
  }

  app.get("/drafts/:draftId/review", { schema: { hide: true } }, async (request, reply) => {
    const r = await ready(request);
    if (r.draft.applicationId) return reply.redirect(`/drafts/${r.draft.id}/confirmation`, 303);
    if (!r.ok) return reply.redirect(`/drafts/${r.draft.id}/tasks`, 303);
    const { def, answers, lang, draft } = r;
    const { districts, tehsils } = await places(lang);
    const files = new Map((await svc.draftDocuments(db, draft.id)).map((d) => [d.id, d]));
    const summary = summarise(def, answers, r.form.visiblePages(answers), lang, {
      date: (d) => request.fmt.date(d),
      number: (n) => request.fmt.number(n),
      yes: request.t("common.yes"),
      no: request.t("common.no"),
      district: (c) => districts.find((d) => d.code === c)?.name ?? String(c),
      tehsil: (c) => tehsils.find((t) => t.code === c)?.name ?? String(c),
      file: (id) => files.get(id)?.filename ?? id,
    });
    const sections = withGurmukhiName(summary, def, answers, request.t("apply.nameGurmukhi"));
    const computed = computeFee(def.fees, { ...answers, channel: channelFact(draft.channel) });
    // At the doorstep the visit fee is taken at the visit, from the dated fee table (src/doorstep/).
    const fee = draft.channel === "doorstep" ? withoutDoorstepVisitLines(def, computed) : computed;
    const checklist = documentChecklist(def, answers, r.data.documents);
    return reply.view("applications/views/definition-check.njk", {
      draftId: draft.id,
      assisted: draft.assisted !== null,
      serviceName: inLang(def.name, lang),
      sections,
      documents: checklist.items
        .filter((i) => i.uploads.length > 0)
        .map((i) => ({
          name: inLang(i.item.name, lang),
          files: i.uploads.map((id) => files.get(id)?.filename ?? id),
        })),
      fee: {
        total: formatRupees(fee.paise),
        lines: fee.lines.map((l) => ({
          label: inLang(l.label, lang),
          amount: formatRupees(l.paise),
        })),
      },
    });
  });

  app.post("/drafts/:draftId/review", { schema: { hide: true } }, async (request, reply) => {
    const r = await ready(request);
    if (r.draft.applicationId) return reply.redirect(`/drafts/${r.draft.id}/confirmation`, 303);
    if (!r.ok || r.draft.definitionId === null)
      return reply.redirect(`/drafts/${r.draft.id}/tasks`, 303);
    // An assisted draft is filed with the applicant's consent code (src/kendras/assisted/).
    if (r.draft.assisted !== null) return reply.redirect(`/drafts/${r.draft.id}/consent`, 303);
    const { def, draft, answers, applicant, data } = r;
    await svc.submitApplication(db, {
      application: {
        kind: "definition",
        serviceId: draft.serviceId,
        definitionId: draft.definitionId as number,
        initialStage: def.workflow.initial,
        timeLimitDays: def.timeLimit.days,
        basis: def.timeLimit.basis,
        noticePeriodDays: def.timeLimit.noticePeriodDays ?? 0,
        feePaise: feeOf(def, answers, draft.channel),
        applicant,
        answers,
        documents: data.documents,
      },
      documentIds: (await svc.draftDocuments(db, draft.id)).map((d) => d.id),
      channel: draft.channel,
      draftId: draft.id,
      now: clock.now(),
    });
    return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
  });

  // ---------------------------------------------------------------- reply to a deficiency

  /** The application this citizen may act on (tracking grant), filed under a definition and sent back. */
  async function sentBack(request: FastifyRequest) {
    const { reference } = request.params as { reference: string };
    const ref = svc.normaliseReference(reference);
    const row = ref ? await svc.findApplicationByReference(db, ref) : undefined;
    if (!row || row.definitionId === null || !(await citizenGrants(request)).includes(row.id))
      throw new DomainError("not_found", "No such application");
    return row;
  }

  app.get("/track/:reference/respond", { schema: { hide: true } }, async (request, reply) => {
    const row = await sentBack(request);
    return reply.view("applications/views/definition-respond.njk", {
      reference: row.reference,
      version: row.version,
      errors: [],
      values: {},
    });
  });

  app.post("/track/:reference/respond", { schema: { hide: true } }, async (request, reply) => {
    const row = await sentBack(request);
    const body = await readMultipart(request);
    const now = clock.now();
    const ids: string[] = [];
    const errors: { text: string; href: string }[] = [];
    for (const f of body.files) {
      if (f.field !== "documents") continue;
      const checked = f.tooLarge
        ? undefined
        : await inspectUpload({
            filename: f.filename,
            declaredType: f.mimetype,
            bytes: f.bytes,
            maxBytes: 2 * 1024 * 1024,
            accept: ["pdf", "jpeg", "png"],
            locale: request.lang,
          });
      if (!checked?.ok) {
        const code = checked ? checked.code : "file.too_large";
        const params = {
          ...(checked && !checked.ok ? checked.params : {}),
          filename: f.filename,
          limit: request.fmt.bytes(2 * 1024 * 1024),
        };
        errors.push({
          text: request.t(
            messageKey({ field: "documents", code, params }),
            messageParams({ field: "documents", code, params }, request.lang),
          ),
          href: "#documents",
        });
        continue;
      }
      if (f.tooLarge) continue;
      await store.put(f.bytes);
      const doc = await svc.addApplicantDocument(
        db,
        {
          filename: checked.filename,
          mime: checked.mime,
          size: checked.size,
          sha256: checked.sha256,
        },
        now,
      );
      ids.push(doc.id);
    }
    const remark = typeof body.fields.remark === "string" ? body.fields.remark : "";
    if (errors.length)
      return reply.code(400).view("applications/views/definition-respond.njk", {
        reference: row.reference,
        version: row.version,
        errors,
        values: { remark },
      });
    await resubmitByDefinition(db, row, {
      documentIds: ids,
      remark,
      version: Number(body.fields.version),
      now,
    });
    return reply.redirect(`/track/${row.reference}`, 303);
  });
}
