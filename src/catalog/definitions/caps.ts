/**
 * Platform caps on uploaded files, per channel: the largest `maxBytes` a
 * service definition may give a document or a file question. A definition may
 * lower a channel's cap (`channels.<name>.maxFileBytes`), never raise it; the
 * linter reports any limit above the cap of an enabled channel
 * (`file.over_cap`).
 *
 * All three caps are **2 MiB = 2,097,152 bytes** per file (binary units, IEC
 * 80000-13), inclusive. Why:
 * - online: the limit the generic form already enforces and states
 *   (`GENERIC_FORM_MAX_BYTES` in `src/applications/uploads.ts`, case C-10);
 *   it keeps uploads workable on low-end phones and slow mobile data;
 * - Sewa Kendra and doorstep: Sewa's own choice, not a published government
 *   figure (none was found). One cap for every channel means an application
 *   can move between channels (started at home, finished at a counter or by
 *   a facilitator) without a document becoming over-size; a scanned A4 page
 *   as a greyscale PDF or JPEG at 200 dpi is well under it.
 * Raise a cap only with a measurement, and record it in `docs/decisions/`.
 *
 * Also here: the default lengths of text answers, shared by the compiler and
 * the linter.
 */
import type { ChannelName } from "./types.ts";

/** 2 MiB in bytes. */
export const MIB = 1024 * 1024;

/** Largest file a service definition may accept on each channel, bytes, inclusive. */
export const CHANNEL_FILE_CAPS: Readonly<Record<ChannelName, number>> = {
  online: 2 * MIB,
  sewaKendra: 2 * MIB,
  doorstep: 2 * MIB,
};

/** Default maximum length of a `text` answer, in code points (JSON Schema `maxLength` counts code points). */
export const TEXT_MAX_LENGTH = 100;
/** Default maximum length of a `textarea` answer, in code points. */
export const TEXTAREA_MAX_LENGTH = 1000;

/** Channel names in display order. */
export const CHANNELS: readonly ChannelName[] = ["online", "sewaKendra", "doorstep"];

/** `2097152` → `2,097,152 bytes (2 MiB)`: the exact count and, when whole, the binary unit. */
export function describeBytes(bytes: number): string {
  const exact = `${new Intl.NumberFormat("en-US").format(bytes)} bytes`;
  if (bytes % MIB === 0) return `${exact} (${bytes / MIB} MiB)`;
  if (bytes % 1024 === 0) return `${exact} (${bytes / 1024} KiB)`;
  return exact;
}
