/**
 * Assisted application (issue 9): a Sewa Kendra operator, or a facilitator
 * (Sewa Sahayak) at the citizen's door, applies on the citizen's behalf with
 * the same forms citizens use, and files it once the citizen has read out a
 * consent code sent to their mobile.
 *
 * The flow:
 * 1. {@link startAssistedDraft} creates a draft with `drafts.channel` =
 *    `kendra` or `doorstep` and the assisted context in `drafts.assisted`;
 *    the official then fills the citizen's own pages (definition services:
 *    `/drafts/:id/tasks`; generic-form services: `/drafts/:id/edit`),
 *    uploading the scanned documents at the document step. Those pages open
 *    only for that official or staff of the same centre (access.ts).
 * 2. {@link sendConsentCode} sends a `consent` OTP bound to the draft
 *    (src/identity/otp.ts) to the applicant's mobile from the answers.
 * 3. {@link fileWithConsent} checks the code the citizen reads out and, in
 *    ONE transaction with the code's consumption, files the application with
 *    its channel, Sewa Kendra and counter (or doorstep visit), the official
 *    (`assistedBy`) and `consentAt`; links the queue token or the visit to
 *    it. Idempotent: a filed draft returns its application again.
 *
 * The time limit gets {@link KENDRA_EXTRA_DAYS} for channel `kendra`
 * (src/applications/service.ts, rtspunjab.gov.in FAQ); the fee rules see the
 * channel (`sewaKendra` / `doorstep`, src/catalog/definitions/fees.ts).
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Temporal } from "temporal-polyfill";
import {
  answersForValidation,
  applicantFields,
  applicantOf,
  documentChecklist,
  draftDataOf,
  feeOf,
} from "../../applications/definition-form.ts";
import { type GenericFormBody, validateGenericForm } from "../../applications/generic-form.ts";
import * as applications from "../../applications/service.ts";
import { appendAudit } from "../../audit/service.ts";
import { compileForm } from "../../catalog/definitions/compile.ts";
import type { LocalisedText, ServiceDefinition } from "../../catalog/definitions/types.ts";
import { definitionOf, liveDefinitionOf } from "../../catalog/definitions/versions.ts";
import { getService, type ServiceWithDepartment } from "../../catalog/service.ts";
import { DomainError } from "../../common/errors.ts";
import { toAsciiDigits } from "../../common/text.ts";
import type { Db, Queryable } from "../../db/client.ts";
import { citizens, doorstepVisits, drafts, kendras, tokens } from "../../db/schema.ts";
import { serviceFeeAtDoorstep } from "../../doorstep/service.ts";
import { tehsilsByDistrict } from "../../geography/service.ts";
import { derivedKey } from "../../identity/citizens.ts";
import { issueOtp, OTP_VALID_MINUTES, verifyOtp } from "../../identity/otp.ts";
import type { SmsSender } from "../../notifications/sms.ts";
import { isNotifyLang, render } from "../../notifications/templates.ts";
import { istDateOf } from "../../sla/clock.ts";
import { type AssistedContext, assistedOf } from "./access.ts";

export { type AssistedContext, assistedDraftAccess, assistedOf, mayAssist } from "./access.ts";

/** The assisted channels: a Sewa Kendra counter, or a facilitator's doorstep visit. */
export type AssistedChannel = "kendra" | "doorstep";

/** The service definition's channel that an assisted channel needs enabled. */
const DEFINITION_CHANNEL = { kendra: "sewaKendra", doorstep: "doorstep" } as const;

/** What {@link startAssistedDraft} needs. */
export type StartAssisted = {
  serviceId: number;
  channel: AssistedChannel;
  /** The operator or facilitator filling the application (`officials.id`). */
  officialId: number;
  /** The Sewa Kendra code and counter (channel `kendra`: the operator's counter seat). */
  kendraCode?: string;
  counter?: number;
  /** The doorstep visit (`doorstep_visits.id`, channel `doorstep`). */
  visitId?: number;
  /** The queue token being served (`tokens.id`); linked to the application when it is filed. */
  tokenId?: number;
  /** Answers known already (from the token or the visit booking), filled in for the official to check. */
  applicant?: { name?: string; mobile?: string };
  now: Temporal.Instant;
};

/**
 * Starts an assisted draft for a service and returns its id and the first
 * page to open: `/drafts/<id>/tasks` (a service with a published definition)
 * or `/drafts/<id>/edit` (the generic form). The official has confirmed that
 * the applicant was told how their data is used (the privacy notice), so the
 * draft starts with that consent recorded, as the citizen's start page does.
 * @throws DomainError not_found (unknown service); unprocessable (field
 *   `serviceId`, code `assisted.channel_closed`) when the service's definition
 *   does not offer this channel (e.g. Aadhaar or e-stamp services).
 */
export async function startAssistedDraft(
  db: Db,
  o: StartAssisted,
): Promise<{ draftId: string; next: string }> {
  const service = await getService(db, o.serviceId);
  if (!service) throw new DomainError("not_found", "No such service");
  const live = service.form === "definition" ? await liveDefinitionOf(db, service.id) : undefined;
  if (live && !live.definition.channels[DEFINITION_CHANNEL[o.channel]].enabled)
    throw new DomainError(
      "unprocessable",
      o.channel === "kendra"
        ? "This service is not offered at Sewa Kendras"
        : "This service is not offered at the doorstep",
      [{ field: "serviceId", code: "assisted.channel_closed", params: { channel: o.channel } }],
    );
  const assisted: AssistedContext = {
    channel: o.channel,
    officialId: o.officialId,
    ...(o.kendraCode ? { kendraCode: o.kendraCode } : {}),
    ...(o.counter ? { counter: o.counter } : {}),
    ...(o.visitId ? { visitId: o.visitId } : {}),
    ...(o.tokenId ? { tokenId: o.tokenId } : {}),
  };
  const data = live
    ? {
        answers: prefillAnswers(live.definition, o.applicant),
        aadhaar: {},
        documents: {},
        privacyConsent: true,
        // The mobile is kept for the citizen's own drafts list, which skips assisted drafts.
      }
    : {
        privacyConsent: "yes",
        ...(o.applicant?.name ? { name: o.applicant.name } : {}),
        ...(o.applicant?.mobile ? { mobile: o.applicant.mobile } : {}),
      };
  const draft = await db.transaction(async (tx) => {
    const d = await applications.createDraft(
      tx as unknown as Db,
      service.id,
      data,
      o.now,
      o.channel,
      live?.id,
    );
    await tx.update(drafts).set({ assisted }).where(eq(drafts.id, d.id));
    await appendAudit(tx, {
      stream: `official:${o.officialId}`,
      actor: `official:${o.officialId}`,
      action: "application.assisted_started",
      data: { draftId: d.id, serviceId: service.id, ...assisted },
      at: o.now.toString(),
    });
    return d;
  });
  return {
    draftId: draft.id,
    next: live ? `/drafts/${draft.id}/tasks` : `/drafts/${draft.id}/edit`,
  };
}

function prefillAnswers(
  def: ServiceDefinition,
  applicant: StartAssisted["applicant"],
): Record<string, unknown> {
  const f = applicantFields(def);
  return {
    ...(f.name && applicant?.name ? { [f.name]: applicant.name } : {}),
    ...(f.mobile && applicant?.mobile ? { [f.mobile]: applicant.mobile } : {}),
  };
}

/** An assisted draft ready to file: who applies, the filing, and where. */
export type ReadyFiling = {
  draft: applications.DraftRow;
  assisted: AssistedContext;
  service: ServiceWithDepartment;
  applicant: { name: string; mobile: string };
  application: applications.Submission["application"];
  documentIds: string[];
  feePaise: number;
};

/**
 * The filing of an assisted draft as it stands: validated answers, the
 * applicant's name and mobile, the documents; `ready: false` with the page to
 * go back to when an answer or a required document is missing.
 * @throws DomainError not_found when the draft is unknown, expired or not assisted.
 */
export async function assistedFiling(
  db: Db,
  draftId: string,
  now: Temporal.Instant,
): Promise<
  | ({ ready: true } & ReadyFiling)
  | { ready: false; draft: applications.DraftRow; assisted: AssistedContext; back: string }
> {
  const draft = await applications.findDraft(db, draftId, now.toString());
  const assisted = draft ? assistedOf(draft) : undefined;
  if (!draft || !assisted)
    throw new DomainError("not_found", "This draft does not exist or has expired");
  const service = await getService(db, draft.serviceId);
  if (!service) throw new DomainError("not_found", "No such service");
  const ctx = { today: istDateOf(now), tehsilsByDistrict: await tehsilsByDistrict(db) };
  const documentIds = (await applications.draftDocuments(db, draft.id)).map((d) => d.id);
  if (draft.definitionId === null) {
    const result = validateGenericForm(draft.data as GenericFormBody, service.id, ctx);
    if (!result.ok || (draft.data as GenericFormBody).privacyConsent !== "yes")
      return { ready: false, draft, assisted, back: `/drafts/${draft.id}/edit` };
    const a = result.value;
    return {
      ready: true,
      draft,
      assisted,
      service,
      applicant: { name: a.applicant.name, mobile: a.applicant.mobile },
      application: a,
      documentIds,
      feePaise: service.feePaise ?? 0,
    };
  }
  const def = await definitionOf(db, draft.definitionId);
  const data = draftDataOf(draft.data);
  const result = compileForm(def).validate(answersForValidation(data), "en", ctx);
  const back = { ready: false as const, draft, assisted, back: `/drafts/${draft.id}/tasks` };
  if (!result.ok || documentChecklist(def, data.answers, data.documents).missing.length > 0)
    return back;
  const answers = { ...result.value, ...data.aadhaar };
  const applicant = applicantOf(def, answers);
  if (!applicant) return back;
  // At the doorstep the visit fee is taken at the visit from the dated fee table (src/doorstep/), not by the definition's rule.
  const feePaise =
    draft.channel === "doorstep"
      ? (serviceFeeAtDoorstep(def, null, answers) ?? 0)
      : feeOf(def, answers, draft.channel);
  return {
    ready: true,
    draft,
    assisted,
    service,
    applicant: { name: applicant.name, mobile: applicant.mobile },
    application: {
      kind: "definition",
      serviceId: draft.serviceId,
      definitionId: draft.definitionId,
      initialStage: def.workflow.initial,
      timeLimitDays: def.timeLimit.days,
      basis: def.timeLimit.basis,
      noticePeriodDays: def.timeLimit.noticePeriodDays ?? 0,
      feePaise,
      applicant,
      answers,
      documents: data.documents,
    },
    documentIds,
    feePaise,
  };
}

/** A Sewa Kendra's names in en/pa/hi, or undefined for an unknown code. */
export async function kendraNames(
  q: Queryable,
  code: string,
): Promise<(LocalisedText & { en: string }) | undefined> {
  const [k] = await q
    .select({ en: kendras.nameEn, pa: kendras.namePa, hi: kendras.nameHi })
    .from(kendras)
    .where(eq(kendras.code, code));
  return k;
}

/**
 * Sends the applicant a consent code for an assisted draft: a 6-digit
 * `consent` OTP bound to the draft (src/identity/otp.ts: valid 10 minutes, 5
 * attempts, one every 30 s, 10 a day per mobile), by SMS in the applicant's
 * language (their profile's, else Punjabi) naming the service and the Sewa
 * Kendra and counter (or the doorstep visit): templates `consent_code` and
 * `consent_code_doorstep` of src/notifications/templates, whose DLT template
 * ids are placeholders. Audited on the official's stream.
 * @returns the mobile number the code went to.
 * @throws DomainError not_found (no such assisted draft), unprocessable (field
 *   `code`, code `consent.not_ready`: answers or documents missing; or
 *   `otp.daily_limit`), conflict (`otp.wait`: asked again within 30 s).
 */
export async function sendConsentCode(
  db: Db,
  sms: SmsSender,
  secret: string,
  o: { draftId: string; officialId: number; now: Temporal.Instant },
): Promise<{ mobile: string }> {
  const filing = await assistedFiling(db, o.draftId, o.now);
  if (!filing.ready)
    throw new DomainError("unprocessable", "Finish the application first", [
      { field: "code", code: "consent.not_ready" },
    ]);
  if (filing.draft.applicationId)
    throw new DomainError("conflict", "This application has been filed already");
  const { applicant, assisted, service } = filing;
  const code = await db.transaction(async (tx) => {
    const c = await issueOtp(tx, derivedKey(secret, "otp"), applicant.mobile, o.now, {
      purpose: "consent",
      subject: filing.draft.id,
    });
    await appendAudit(tx, {
      stream: `official:${o.officialId}`,
      actor: `official:${o.officialId}`,
      action: "application.consent_code_sent",
      data: { draftId: filing.draft.id, serviceId: service.id, channel: assisted.channel },
      at: o.now.toString(),
    });
    return c;
  });
  const kendra =
    assisted.kendraCode !== undefined ? await kendraNames(db, assisted.kendraCode) : undefined;
  const [citizen] = await db
    .select({ lang: citizens.lang })
    .from(citizens)
    .where(eq(citizens.mobile, applicant.mobile));
  const message = render("otp.consent", isNotifyLang(citizen?.lang) ? citizen.lang : "pa", {
    code,
    minutes: OTP_VALID_MINUTES,
    service: {
      en: service.name,
      pa: service.namePa || service.name,
      hi: service.nameHi || service.name,
    },
    kendra: kendra
      ? { en: kendra.en, pa: kendra.pa || kendra.en, hi: kendra.hi || kendra.en }
      : undefined,
    counter: assisted.counter ?? "",
  });
  if (!message) throw new Error("consent_code template missing");
  await sms.send({
    to: applicant.mobile,
    text: message.sms.text,
    templateId: message.sms.templateId,
  });
  return { mobile: applicant.mobile };
}

/** What filing an assisted application gives: the citizen's submission result and the application id. */
export type AssistedFiled = applications.SubmissionResult & { applicationId: number };

/**
 * Files an assisted draft once the applicant's consent code checks out, in
 * ONE transaction: the code is consumed, the application is filed with
 * `channel`, `kendraCode`, `counter`, `visitId`, `assistedBy` = `officialId`
 * and `consentAt` = `now`, its documents attached, the submission SMS queued
 * (outbox `application.submitted`), the queue token's `applicationId` and the
 * doorstep visit's `applicationId` set. A wrong code still counts as an attempt
 * (5 per code) and files nothing. Idempotent: a draft filed already returns
 * its application (`created: false`) without a code.
 * @throws DomainError not_found (no such assisted draft); validation (field
 *   `code`: `consent.code_format` for anything but 6 digits,
 *   `consent.wrong_code` for a wrong, expired or spent code); unprocessable
 *   (`consent.not_ready`: answers or documents missing).
 */
export async function fileWithConsent(
  db: Db,
  secret: string,
  o: { draftId: string; code: string; officialId: number; now: Temporal.Instant },
): Promise<AssistedFiled> {
  const filing = await assistedFiling(db, o.draftId, o.now);
  if (filing.draft.applicationId) {
    const row = await applications.findApplicationById(db, filing.draft.applicationId);
    if (!row) throw new DomainError("not_found", "No such application");
    return {
      reference: row.reference,
      dueDate: row.dueDate,
      status: row.status as applications.SubmissionResult["status"],
      created: false,
      applicationId: row.id,
    };
  }
  if (!filing.ready)
    throw new DomainError("unprocessable", "Finish the application first", [
      { field: "code", code: "consent.not_ready" },
    ]);
  const code = toAsciiDigits(o.code).replace(/\s+/g, "");
  if (!/^\d{6}$/.test(code))
    throw new DomainError("validation", "Enter the 6-digit code", [
      { field: "code", code: "consent.code_format" },
    ]);
  const { assisted, applicant, draft } = filing;
  const filed = await db.transaction(async (tx) => {
    const ok = await verifyOtp(tx, derivedKey(secret, "otp"), applicant.mobile, code, o.now, {
      purpose: "consent",
      subject: draft.id,
    });
    if (!ok) return undefined;
    const result = await applications.submitApplication(tx as unknown as Db, {
      application: filing.application,
      documentIds: filing.documentIds,
      channel: draft.channel,
      draftId: draft.id,
      assisted: {
        kendraCode: assisted.kendraCode ?? null,
        counter: assisted.counter ?? null,
        visitId: assisted.visitId ?? null,
        assistedBy: o.officialId,
        consentAt: o.now,
      },
      now: o.now,
    });
    const row = await applications.findApplicationByReference(tx, result.reference);
    if (!row) throw new Error("filed application missing");
    if (assisted.tokenId !== undefined && assisted.kendraCode !== undefined)
      await tx
        .update(tokens)
        .set({ applicationId: row.id })
        .where(
          and(
            eq(tokens.id, assisted.tokenId),
            eq(tokens.kendraCode, assisted.kendraCode),
            isNull(tokens.applicationId),
          ),
        );
    if (assisted.visitId !== undefined)
      await tx
        .update(doorstepVisits)
        .set({ applicationId: row.id })
        .where(and(eq(doorstepVisits.id, assisted.visitId), isNull(doorstepVisits.applicationId)));
    return { ...result, applicationId: row.id };
  });
  if (!filed)
    throw new DomainError("validation", "The code is not right", [
      { field: "code", code: "consent.wrong_code" },
    ]);
  return filed;
}
