/**
 * Officer on leave: a designated officer delegates their charge to another
 * official for a date range. The delegate gets matching temporary postings
 * (same role, jurisdiction and department, for those dates), so the open
 * applications and their due dates move with the charge; every open
 * application's timeline says so. Audited. Due dates do not change: the
 * time limit runs whoever holds the charge.
 */
import type { Temporal } from "temporal-polyfill";
import { type Actor, officerInbox, recordEvent } from "../applications/service.ts";
import { appendAudit } from "../audit/service.ts";
import { DomainError } from "../common/errors.ts";
import { parseIsoDate } from "../common/text.ts";
import type { Db } from "../db/client.ts";
import { addPosting, findOfficialByUsername } from "../identity/service.ts";

/** A delegation request. Dates are IST `YYYY-MM-DD`, inclusive. */
export type Delegation = { delegateUsername: string; from: string; to: string; reason: string };

/**
 * Delegates the actor's designated-officer postings.
 * @returns the number of open applications whose timeline records the delegation.
 * @throws DomainError validation (unknown delegate, oneself, dates out of order or in the past, no reason),
 *   not_found when the actor holds no designated-officer posting.
 */
export async function delegateCharge(
  db: Db,
  actor: Actor & { username: string; name: string },
  d: Delegation,
  now: Temporal.Instant,
): Promise<number> {
  const today = now.toZonedDateTimeISO("Asia/Kolkata").toPlainDate().toString();
  const valid = (s: string) => parseIsoDate(s).ok;
  if (!valid(d.from) || !valid(d.to) || d.to < d.from)
    throw new DomainError(
      "validation",
      "Enter the first and last day of the leave, the last not before the first",
      [{ field: "from", code: "dates" }],
    );
  if (d.from < today)
    throw new DomainError("validation", "The leave cannot start in the past", [
      { field: "from", code: "past" },
    ]);
  const reason = d.reason.trim().slice(0, 500);
  if (!reason)
    throw new DomainError("validation", "Give the reason, for example earned leave", [
      { field: "reason", code: "required" },
    ]);
  const delegate = await findOfficialByUsername(db, d.delegateUsername.trim().toLowerCase());
  if (!delegate || delegate.id === actor.officialId)
    throw new DomainError("validation", "Enter the username of another official", [
      { field: "delegate", code: "unknown" },
    ]);
  const charge = actor.principal.postings.filter((p) => p.role === "designated_officer");
  if (charge.length === 0)
    throw new DomainError("not_found", "No designated-officer charge to delegate");
  return db.transaction(async (tx) => {
    for (const p of charge) {
      await addPosting(
        tx,
        delegate.id,
        {
          role: "designated_officer",
          level: p.level,
          districtCode: p.districtCode,
          tehsilCode: p.tehsilCode,
          departmentId: p.departmentId,
          office: `Charge of ${actor.username} (${reason})`,
          validFrom: d.from,
          validTo: d.to,
        },
        `official:${actor.officialId}`,
      );
    }
    const open = (
      await officerInbox(
        tx,
        { officialId: actor.officialId, principal: { ...actor.principal, postings: charge } },
        100_000,
      )
    ).filter((a) => a.status !== "approved" && a.status !== "rejected");
    const remark = `Charge delegated to ${delegate.name} (${delegate.designation}) from ${d.from} to ${d.to}: ${reason}`;
    for (const app of open) {
      await recordEvent(tx, {
        applicationId: app.id,
        at: now,
        action: "delegated",
        status: app.status,
        remark,
        actor: `official:${actor.officialId}`,
        dueDate: app.dueDate,
      });
    }
    await appendAudit(tx, {
      stream: `official:${actor.officialId}`,
      actor: `official:${actor.officialId}`,
      action: "charge.delegated",
      data: { delegate: delegate.username, from: d.from, to: d.to, applications: open.length },
      at: now.toString(),
    });
    return open.length;
  });
}
