/**
 * Citizen routes for applications: apply (generic form, with uploads), check
 * answers, submit, confirmation and acknowledgement, tracking, and
 * resubmission after a deficiency. The JSON API is in api.ts.
 *
 * Pages work without JavaScript and follow the GOV.UK patterns: question page
 * with error summary, check your answers, confirmation with reference number.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { liveDefinitionOf } from "../catalog/definitions/versions.ts";
import { parseId } from "../catalog/routes.ts";
import { getService, type ServiceWithDepartment } from "../catalog/service.ts";
import { certificatesOf } from "../certificates/service.ts";
import { DomainError } from "../common/errors.ts";
import { normaliseMobile } from "../common/text.ts";
import { localPlaces } from "../geography/local-names.ts";
import { listDistricts, listTehsils, tehsilsByDistrict } from "../geography/service.ts";
import { currentCitizen } from "../identity/citizen-routes.ts";
import { assistedDraftAccess } from "../kendras/assisted/access.ts";
import { feeStatus } from "../payments/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { TRACK_LIMIT } from "../web/limits.ts";
import { type MultipartBody, readMultipart } from "../web/multipart.ts";
import { registerApplicationApi } from "./api.ts";
import { definitionRoutes, definitionSummary, renderStart } from "./definition-routes.ts";
import {
  type FieldError,
  formFieldId,
  type GenericFormBody,
  messageKey,
  messageParams,
  validateGenericForm,
} from "./generic-form.ts";
import { citizenGrants, startCitizenGrant } from "./grants.ts";
import { suggestGurmukhi } from "./gurmukhi-name.ts";
import * as svc from "./service.ts";
import {
  acceptAttribute,
  GENERIC_FORM_ACCEPT,
  GENERIC_FORM_MAX_BYTES,
  GENERIC_FORM_MAX_FILES,
  inspectUpload,
} from "./uploads.ts";

type PageError = { text: string; href: string };

/** Registers the citizen pages and the applications API. */
export async function applicationRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { clock, store } = app.deps;

  /** Everything the form page needs besides the answers. */
  async function formContext(service: ServiceWithDepartment, lang: string) {
    const [districts, tehsils] = await Promise.all([
      listDistricts(db).then((r) => localPlaces("district", r, lang)),
      listTehsils(db).then((r) => localPlaces("tehsil", r, lang)),
    ]);
    const groups = districts.map((d) => ({
      district: d,
      tehsils: tehsils.filter((t) => t.districtCode === d.code),
    }));
    return {
      service,
      districts,
      tehsilGroups: groups,
      accept: acceptAttribute(GENERIC_FORM_ACCEPT),
      maxFiles: GENERIC_FORM_MAX_FILES,
    };
  }

  function pageErrors(
    request: FastifyRequest,
    errors: FieldError[],
  ): { list: PageError[]; byField: Record<string, string>; dobPart: string | undefined } {
    const list = errors.map((e) => ({
      text: request.t(messageKey(e), messageParams(e, request.lang)),
      href: `#${formFieldId(e)}`,
    }));
    const byField: Record<string, string> = {};
    errors.forEach((e, i) => {
      const key =
        e.field === "applicant.dateOfBirth" ? "dob" : (e.field.split(".").at(-1) ?? e.field);
      byField[key] ??= list[i]?.text ?? "";
    });
    // The date box to highlight (day, month, year or all), as the GOV.UK date input
    // pattern asks: only the wrong part is marked when the error names one.
    const part = errors.find((e) => e.field === "applicant.dateOfBirth")?.params?.part;
    return { list, byField, dobPart: typeof part === "string" ? part : undefined };
  }

  /** Stores valid uploads against the draft; returns file errors for the page. */
  async function intakeFiles(
    request: FastifyRequest,
    files: MultipartBody["files"],
    already: number,
    attach: (doc: {
      filename: string;
      mime: string;
      size: number;
      sha256: string;
    }) => Promise<unknown>,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    let count = already;
    for (const f of files) {
      if (f.field !== "documents") continue;
      if (count >= GENERIC_FORM_MAX_FILES) {
        errors.push({
          field: "documents",
          code: "file.too_many",
          params: { max: GENERIC_FORM_MAX_FILES },
        });
        break;
      }
      if (f.tooLarge) {
        errors.push({
          field: "documents",
          code: "file.too_large",
          params: { filename: f.filename, limit: formatLimit(request) },
        });
        continue;
      }
      const checked = await inspectUpload({
        filename: f.filename,
        declaredType: f.mimetype,
        bytes: f.bytes,
        maxBytes: GENERIC_FORM_MAX_BYTES,
        accept: GENERIC_FORM_ACCEPT,
        locale: request.lang,
      });
      if (!checked.ok) {
        errors.push({
          field: "documents",
          code: checked.code,
          params: { ...checked.params, filename: f.filename },
        });
        continue;
      }
      const sha256 = await store.put(f.bytes);
      if (sha256 !== checked.sha256)
        throw new Error("stored file hash differs from the uploaded bytes");
      await attach({ filename: checked.filename, mime: checked.mime, size: checked.size, sha256 });
      count++;
    }
    return errors;
  }

  function formatLimit(request: FastifyRequest): string {
    return request.fmt.bytes(GENERIC_FORM_MAX_BYTES);
  }

  async function renderForm(
    reply: FastifyReply,
    request: FastifyRequest,
    opts: {
      service: ServiceWithDepartment;
      values: GenericFormBody;
      errors: FieldError[];
      action: string;
      documents: svc.DocumentRow[];
      pendingDocuments?: svc.DocumentRow[];
      mode: "apply" | "resubmit";
      draftId?: string;
      version?: number;
      reference?: string;
      remark?: string;
    },
  ) {
    const { list, byField, dobPart } = pageErrors(request, opts.errors);
    return reply.code(opts.errors.length ? 400 : 200).view("applications/views/apply.njk", {
      ...(await formContext(opts.service, request.lang)),
      values: opts.values,
      errors: list,
      fieldErrors: byField,
      dobPart,
      action: opts.action,
      documents: opts.documents,
      pendingDocuments: opts.pendingDocuments ?? [],
      mode: opts.mode,
      draftId: opts.draftId,
      version: opts.version,
      reference: opts.reference,
      remark: opts.remark,
    });
  }

  const validationContext = async () => ({
    tehsilsByDistrict: await tehsilsByDistrict(db),
    today: istDateOf(clock.now()),
  });

  async function loadService(raw: string): Promise<ServiceWithDepartment> {
    const id = parseId(raw);
    const service = id === undefined ? undefined : await getService(db, id);
    if (!service) throw new DomainError("not_found", "No such service");
    return service;
  }

  /** A live draft; an assisted one only for the staff filling it (src/kendras/assisted/access.ts; 404 otherwise). */
  async function loadDraft(request: FastifyRequest, id: string) {
    const draft = await svc.findDraft(db, id, clock.now().toString());
    if (!draft) throw new DomainError("not_found", "This draft does not exist or has expired");
    await assistedDraftAccess(request, draft);
    return draft;
  }

  // ---------------------------------------------------------------- apply

  app.get("/services/:id/apply", { schema: { hide: true } }, async (request, reply) => {
    const service = await loadService((request.params as { id: string }).id);
    // A service with a published definition has its own multi-page form (definition-routes.ts).
    const live = service.form === "definition" ? await liveDefinitionOf(db, service.id) : undefined;
    if (live) return renderStart(request, reply, service, live);
    // A signed-in citizen who agreed to reuse their details gets them filled in (they can change them).
    const citizen = await currentCitizen(request);
    const prefill = citizen?.prefillConsentAt
      ? { ...(citizen.profile as GenericFormBody), mobile: citizen.mobile }
      : citizen
        ? { mobile: citizen.mobile }
        : {};
    return renderForm(reply, request, {
      service,
      values: prefill,
      errors: [],
      action: `/services/${service.id}/apply`,
      documents: [],
      mode: "apply",
    });
  });

  /** Handles a posted form for a new or existing draft. */
  async function handleApplyPost(
    request: FastifyRequest,
    reply: FastifyReply,
    service: ServiceWithDepartment,
    existingDraftId?: string,
  ) {
    if (!request.isMultipart())
      throw new DomainError("validation", "The form must be sent as multipart/form-data");
    const body = await readMultipart(request);
    const values = stringFields(body.fields);
    // "Suggest Gurmukhi spelling": fill in a suggestion from the English name and show the form again (gurmukhi-name.ts).
    const suggesting = values.suggestGurmukhi === "yes";
    if (suggesting) {
      values.nameGurmukhi = suggestGurmukhi(typeof values.name === "string" ? values.name : "");
      delete values.suggestGurmukhi;
    }
    const now = clock.now();
    const draft = existingDraftId
      ? await loadDraft(request, existingDraftId)
      : await svc.createDraft(db, service.id, values, now);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    await svc.saveDraft(db, draft.id, values, now);
    const removals = arrayOf(body.fields.remove);
    for (const docId of removals) await svc.removeDraftDocument(db, draft.id, docId);
    const existing = await svc.draftDocuments(db, draft.id);
    const fileErrors = await intakeFiles(request, body.files, existing.length, (doc) =>
      svc.addDraftDocument(db, draft.id, doc, now),
    );
    const result = validateGenericForm(values, service.id, await validationContext());
    // DPDP Act 2023 s.5-6: notice and consent before personal data is processed.
    const consentErrors: FieldError[] =
      values.privacyConsent === "yes"
        ? []
        : [{ field: "privacyConsent", code: "privacy_required" }];
    const errors = [...consentErrors, ...(result.ok ? [] : result.errors), ...fileErrors];
    if (errors.length > 0 || removals.length > 0 || suggesting) {
      return renderForm(reply, request, {
        service,
        values,
        errors: suggesting ? [] : errors,
        action: `/drafts/${draft.id}/edit`,
        documents: await svc.draftDocuments(db, draft.id),
        mode: "apply",
        draftId: draft.id,
      });
    }
    return reply.redirect(`/drafts/${draft.id}/check`, 303);
  }

  app.post("/services/:id/apply", { schema: { hide: true } }, async (request, reply) => {
    const service = await loadService((request.params as { id: string }).id);
    if (service.form === "definition") return reply.redirect(`/services/${service.id}/apply`, 303);
    return handleApplyPost(request, reply, service);
  });

  app.get("/drafts/:draftId/edit", { schema: { hide: true } }, async (request, reply) => {
    const draft = await loadDraft(request, (request.params as { draftId: string }).draftId);
    if (draft.definitionId !== null) return reply.redirect(`/drafts/${draft.id}/tasks`, 303);
    if (draft.applicationId) return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
    const service = await loadService(String(draft.serviceId));
    return renderForm(reply, request, {
      service,
      values: draft.data as GenericFormBody,
      errors: [],
      action: `/drafts/${draft.id}/edit`,
      documents: await svc.draftDocuments(db, draft.id),
      mode: "apply",
      draftId: draft.id,
    });
  });

  app.post("/drafts/:draftId/edit", { schema: { hide: true } }, async (request, reply) => {
    const draft = await loadDraft(request, (request.params as { draftId: string }).draftId);
    const service = await loadService(String(draft.serviceId));
    return handleApplyPost(request, reply, service, draft.id);
  });

  // ---------------------------------------------------------------- check and submit

  /**
   * A draft ready to submit: its service and validated answers; otherwise the
   * redirect (to the confirmation when already submitted, to the form when invalid).
   */
  async function readyDraft(request: FastifyRequest) {
    const draft = await loadDraft(request, (request.params as { draftId: string }).draftId);
    if (draft.applicationId)
      return { ok: false as const, redirect: `/drafts/${draft.id}/confirmation` };
    if (draft.definitionId !== null)
      return { ok: false as const, redirect: `/drafts/${draft.id}/review` };
    // An assisted draft is filed with the applicant's consent code, not the citizen's submit button.
    const assisted = draft.assisted !== null;
    const service = await loadService(String(draft.serviceId));
    const result = validateGenericForm(
      draft.data as GenericFormBody,
      service.id,
      await validationContext(),
    );
    if (!result.ok) return { ok: false as const, redirect: `/drafts/${draft.id}/edit` };
    return { ok: true as const, draft, service, answers: result.value, assisted };
  }

  app.get("/drafts/:draftId/check", { schema: { hide: true } }, async (request, reply) => {
    const ready = await readyDraft(request);
    if (!ready.ok) return reply.redirect(ready.redirect, 303);
    const { draft, service } = ready;
    const result = { value: ready.answers };
    return reply.view("applications/views/check.njk", {
      service,
      draft,
      answers: result.value,
      ...(await names(
        result.value.address.districtCode,
        result.value.address.tehsilCode,
        request.lang,
      )),
      documents: await svc.draftDocuments(db, draft.id),
      assisted: ready.assisted,
    });
  });

  app.post("/drafts/:draftId/submit", { schema: { hide: true } }, async (request, reply) => {
    const ready = await readyDraft(request);
    if (!ready.ok) return reply.redirect(ready.redirect, 303);
    const { draft } = ready;
    if (ready.assisted) return reply.redirect(`/drafts/${draft.id}/consent`, 303);
    const result = { value: ready.answers };
    const documents = await svc.draftDocuments(db, draft.id);
    await svc.submitApplication(db, {
      application: result.value,
      documentIds: documents.map((d) => d.id),
      channel: draft.channel,
      draftId: draft.id,
      now: clock.now(),
    });
    return reply.redirect(`/drafts/${draft.id}/confirmation`, 303);
  });

  async function submittedDraft(request: FastifyRequest, id: string) {
    const draft = await loadDraft(request, id);
    if (!draft.applicationId)
      throw new DomainError("not_found", "This application has not been submitted");
    const row = await svc.findApplicationById(db, draft.applicationId);
    if (!row) throw new DomainError("not_found", "No such application");
    return { draft, row, view: await svc.trackView(db, row, clock.now()) };
  }

  app.get("/drafts/:draftId/confirmation", { schema: { hide: true } }, async (request, reply) => {
    const { draft, view } = await submittedDraft(
      request,
      (request.params as { draftId: string }).draftId,
    );
    // Staff who filed it for the applicant get their own confirmation (fee, queue).
    if (draft.assisted !== null) return reply.redirect(`/drafts/${draft.id}/filed`, 303);
    return reply.view("applications/views/confirmation.njk", { draft, app: view });
  });

  app.get(
    "/drafts/:draftId/acknowledgement",
    { schema: { hide: true } },
    async (request, reply) => {
      const { row, view } = await submittedDraft(
        request,
        (request.params as { draftId: string }).draftId,
      );
      const answers = row.formData as unknown as svc.StoredApplication;
      const sections = await definitionSummary(db, row, request);
      return reply.view("applications/views/acknowledgement.njk", {
        app: view,
        answers,
        ...(await names(row.districtCode, row.tehsilCode, request.lang)),
        documents: await svc.applicationDocuments(db, row.id),
        sections,
      });
    },
  );

  async function names(districtCode: number, tehsilCode: number, lang: string) {
    const [districts, tehsils] = await Promise.all([
      listDistricts(db).then((r) => localPlaces("district", r, lang)),
      listTehsils(db, districtCode).then((r) => localPlaces("tehsil", r, lang)),
    ]);
    return {
      districtName: districts.find((d) => d.code === districtCode)?.name ?? String(districtCode),
      tehsilName: tehsils.find((t) => t.code === tehsilCode)?.name ?? String(tehsilCode),
    };
  }

  // ---------------------------------------------------------------- track

  app.get("/track", { schema: { hide: true } }, async (request, reply) => {
    const q = request.query as { reference?: string };
    return reply.view("applications/views/track-lookup.njk", {
      values: { reference: typeof q.reference === "string" ? q.reference.slice(0, 40) : "" },
    });
  });

  app.post(
    "/track",
    { schema: { hide: true }, config: { rateLimit: TRACK_LIMIT } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const reference = typeof body.reference === "string" ? body.reference.slice(0, 40) : "";
      const mobileRaw = typeof body.mobile === "string" ? body.mobile.slice(0, 20) : "";
      const tr = request.t;
      const errors: PageError[] = [];
      if (!reference.trim())
        errors.push({ text: tr("track.errors.referenceRequired"), href: "#reference" });
      const mobile = normaliseMobile(mobileRaw);
      if (!mobileRaw.trim())
        errors.push({ text: tr("track.errors.mobileRequired"), href: "#mobile" });
      else if (!mobile.ok) errors.push({ text: tr("track.errors.mobileInvalid"), href: "#mobile" });
      let row: svc.ApplicationRow | undefined;
      if (errors.length === 0 && mobile.ok) {
        row = await svc.findForApplicant(db, reference, mobile.value);
        if (!row) errors.push({ text: tr("track.errors.notFound"), href: "#reference" });
      }
      if (errors.length > 0 || !row) {
        return reply.code(400).view("applications/views/track-lookup.njk", {
          values: { reference, mobile: mobileRaw },
          errors,
          fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
        });
      }
      await startCitizenGrant(request, reply, row.id);
      return reply.redirect(`/track/${row.reference}`, 303);
    },
  );

  async function grantedApplication(request: FastifyRequest, reference: string) {
    const ref = svc.normaliseReference(reference);
    const row = ref ? await svc.findApplicationByReference(db, ref) : undefined;
    if (!row || !(await citizenGrants(request)).includes(row.id)) return undefined;
    return row;
  }

  // The short link in SMS (`/t/<reference>`): the tracking page, after the mobile check.
  app.get("/t/:reference", { schema: { hide: true } }, async (request, reply) => {
    const ref = svc.normaliseReference((request.params as { reference: string }).reference);
    return reply.redirect(ref ? `/track/${ref}` : "/track", 303);
  });

  app.get("/track/:reference", { schema: { hide: true } }, async (request, reply) => {
    const { reference } = request.params as { reference: string };
    const row = await grantedApplication(request, reference);
    if (!row)
      return reply.redirect(`/track?reference=${encodeURIComponent(reference.slice(0, 40))}`, 303);
    const view = await svc.trackView(db, row, clock.now());
    const deficiency = [...view.timeline].reverse().find((e) => e.action === "sent_back");
    const fee = await feeStatus(db, row.reference);
    const payment = (request.query as { payment?: string }).payment;
    return reply.view("applications/views/track.njk", {
      app: view,
      deficiency,
      fee: {
        ...fee,
        receipts: fee.payments.filter((p) => p.receiptNumber).map((p) => p.receiptNumber),
      },
      paymentBanner: ["paid", "failed", "pending"].includes(payment ?? "") ? payment : undefined,
      documents: await svc.applicationDocuments(db, row.id),
      certificates: await certificatesOf(db, row.id),
    });
  });

  app.get("/track/:reference/resubmit", { schema: { hide: true } }, async (request, reply) => {
    const { reference } = request.params as { reference: string };
    const row = await grantedApplication(request, reference);
    if (!row)
      return reply.redirect(`/track?reference=${encodeURIComponent(reference.slice(0, 40))}`, 303);
    if (row.status !== "sent_back") return reply.redirect(`/track/${row.reference}`, 303);
    if (row.definitionId !== null) return reply.redirect(`/track/${row.reference}/respond`, 303);
    const service = await svc.serviceOf(db, row);
    const view = await svc.trackView(db, row, clock.now());
    return renderForm(reply, request, {
      service,
      values: formValuesOf(row.formData as unknown as svc.StoredApplication),
      errors: [],
      action: `/track/${row.reference}/resubmit`,
      documents: await svc.applicationDocuments(db, row.id),
      mode: "resubmit",
      version: row.version,
      reference: row.reference,
      remark: [...view.timeline].reverse().find((e) => e.action === "sent_back")?.remark,
    });
  });

  app.post("/track/:reference/resubmit", { schema: { hide: true } }, async (request, reply) => {
    const { reference } = request.params as { reference: string };
    const row = await grantedApplication(request, reference);
    if (!row)
      return reply.redirect(`/track?reference=${encodeURIComponent(reference.slice(0, 40))}`, 303);
    if (row.definitionId !== null) return reply.redirect(`/track/${row.reference}/respond`, 303);
    if (!request.isMultipart())
      throw new DomainError("validation", "The form must be sent as multipart/form-data");
    const body = await readMultipart(request);
    const values = stringFields(body.fields);
    const suggesting = values.suggestGurmukhi === "yes";
    if (suggesting) {
      values.nameGurmukhi = suggestGurmukhi(typeof values.name === "string" ? values.name : "");
      delete values.suggestGurmukhi;
    }
    const service = await svc.serviceOf(db, row);
    const now = clock.now();
    const existing = await svc.applicationDocuments(db, row.id);
    const pending = await svc.pendingDocuments(db, arrayOf(body.fields.pending));
    const newDocs: string[] = pending.map((d) => d.id);
    const fileErrors = await intakeFiles(
      request,
      body.files,
      existing.length + pending.length,
      async (doc) => {
        const stored = await svc.addApplicantDocument(db, doc, now);
        newDocs.push(stored.id);
      },
    );
    const result = validateGenericForm(values, service.id, await validationContext());
    const errors = [...(result.ok ? [] : result.errors), ...fileErrors];
    if (result.ok && result.value.address.districtCode !== row.districtCode) {
      errors.push({ field: "address.districtCode", code: "district_fixed" });
    }
    const version = Number(values.version);
    if (errors.length > 0 || !result.ok || suggesting) {
      return renderForm(reply, request, {
        service,
        values,
        errors: suggesting ? [] : errors,
        action: `/track/${row.reference}/resubmit`,
        documents: existing,
        pendingDocuments: await svc.pendingDocuments(db, newDocs),
        mode: "resubmit",
        version: row.version,
        reference: row.reference,
      });
    }
    await svc.resubmit(db, row, { application: result.value, documentIds: newDocs, version, now });
    return reply.redirect(`/track/${row.reference}`, 303);
  });

  // ---------------------------------------------------------------- documents

  app.get(
    "/track/:reference/documents/:documentId",
    { schema: { hide: true } },
    async (request, reply) => {
      const { reference, documentId } = request.params as { reference: string; documentId: string };
      const row = await grantedApplication(request, reference);
      const doc = row
        ? (await svc.applicationDocuments(db, row.id)).find((d) => d.id === documentId)
        : undefined;
      if (!doc) throw new DomainError("not_found", "No such document");
      return sendDocument(reply, doc, await store.get(doc.sha256));
    },
  );

  await app.register(registerApplicationApi);
  await app.register(definitionRoutes);
}

/** Sends a stored document as a download, never rendered inline (C-13). */
export function sendDocument(
  reply: FastifyReply,
  doc: { filename: string; mime: string },
  bytes: Buffer,
) {
  const ascii = doc.filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return reply
    .header("Content-Type", doc.mime)
    .header(
      "Content-Disposition",
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
    )
    .header("X-Content-Type-Options", "nosniff")
    .header("Cache-Control", "private, no-store")
    .send(bytes);
}

function stringFields(fields: Record<string, string | string[]>): GenericFormBody {
  const out: GenericFormBody = {};
  for (const [k, v] of Object.entries(fields)) if (k !== "remove" && k !== "pending") out[k] = v;
  return out;
}

function arrayOf(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The form's flat values from a stored application (for resubmission). */
function formValuesOf(a: svc.StoredApplication): GenericFormBody {
  const [year, month, day] = a.applicant.dateOfBirth.split("-");
  return {
    name: a.applicant.name,
    nameGurmukhi: a.applicant.nameGurmukhi ?? "",
    relativeName: a.applicant.relativeName,
    gender: a.applicant.gender,
    "dob-day": String(Number(day)),
    "dob-month": String(Number(month)),
    "dob-year": year,
    mobile: a.applicant.mobile,
    email: a.applicant.email ?? "",
    line1: a.address.line1,
    line2: a.address.line2 ?? "",
    districtCode: String(a.address.districtCode),
    tehsilCode: String(a.address.tehsilCode),
    pincode: a.address.pincode,
    purpose: a.purpose,
    declaration: "yes",
  };
}
