/**
 * Default error messages of compiled service forms, in en, pa and hi. A
 * field's own `errors` in the definition take precedence; these are the
 * fallback, so every error always has a message in every language.
 *
 * Style: GOV.UK Design System error messages (say what happened and what to
 * do, no "invalid", no blame). `{{label}}` is the question's label in the same
 * language; `{{min}}`, `{{max}}` and `{{field}}` are filled in by
 * {@link interpolate}. The pa and hi texts are machine-assisted translations
 * of the en text and need review by a native speaker before go-live (the same
 * status as `src/applications/locales`).
 *
 * Keys: an error code, optionally refined by a kind of field
 * (`required.choice`) or an address part (`address.line1.required`); see
 * {@link defaultMessage} for the lookup order.
 */
import type { Lang } from "./types.ts";

const en = {
  required: "Enter an answer for “{{label}}”",
  "required.choice": "Select an answer for “{{label}}”",
  "required.file": "Upload a file for “{{label}}”",
  "required.group": "Add at least one entry to “{{label}}”",
  "required.address": "Enter the address",
  type: "Enter a valid answer for “{{label}}”",
  "type.number": "“{{label}}” must be a number",
  "type.form": "Send the answers as one JSON object",
  unknown_field: "“{{field}}” is not a question on this form",
  not_applicable: "“{{label}}” does not apply because of your earlier answers",
  too_short: "“{{label}}” must be {{min}} characters or more",
  too_long: "“{{label}}” must be {{max}} characters or fewer",
  pattern: "Enter “{{label}}” in the correct format",
  too_small: "“{{label}}” must be {{min}} or more",
  too_large: "“{{label}}” must be {{max}} or less",
  not_integer: "“{{label}}” must be a whole number",
  invalid_option: "Select one of the options for “{{label}}”",
  too_few: "Select {{min}} or more options for “{{label}}”",
  "too_few.group": "The number of entries in “{{label}}” must be {{min}} or more",
  "too_few.file": "The number of files for “{{label}}” must be {{min}} or more",
  too_many: "Select {{max}} or fewer options for “{{label}}”",
  "too_many.group": "The number of entries in “{{label}}” must be {{max}} or fewer",
  "too_many.file": "The number of files for “{{label}}” must be {{max}} or fewer",
  invalid: "Enter a valid answer for “{{label}}”",
  "invalid.date": "“{{label}}” must be a real date",
  "invalid.mobile": "Enter a mobile number in the correct format, like 98765 43210",
  "invalid.email": "Enter an email address in the correct format, like name@example.com",
  "invalid.pincode": "Enter a PIN code in the correct format, like 160017",
  "invalid.aadhaar": "Aadhaar number must be 12 digits and cannot start with 0 or 1",
  "invalid.file": "Upload the file for “{{label}}” again",
  checksum: "Check the Aadhaar number: one or more digits are wrong",
  too_early: "“{{label}}” must be on or after {{min}}",
  "too_early.today": "“{{label}}” must be today or in the future",
  too_late: "“{{label}}” must be on or before {{max}}",
  "too_late.today": "“{{label}}” must be today or in the past",
  district_unknown: "Select a district from the list",
  tehsil_not_in_district: "Select a tehsil in the district you chose",
  "address.line1.required":
    "Enter address line 1, typically the house number and street or village",
  "address.line1.too_long": "Address line 1 must be {{max}} characters or fewer",
  "address.line2.too_long": "Address line 2 must be {{max}} characters or fewer",
  "address.districtCode.required": "Select a district",
  "address.tehsilCode.required": "Select a tehsil",
  "address.pincode.required": "Enter a PIN code, like 160017",
  "address.pincode.invalid": "Enter a PIN code in the correct format, like 160017",
};

/** A key of the default message catalog. */
export type MessageKey = keyof typeof en;

const pa: Record<MessageKey, string> = {
  required: "“{{label}}” ਲਈ ਜਵਾਬ ਦਰਜ ਕਰੋ",
  "required.choice": "“{{label}}” ਲਈ ਇੱਕ ਜਵਾਬ ਚੁਣੋ",
  "required.file": "“{{label}}” ਲਈ ਫ਼ਾਈਲ ਅੱਪਲੋਡ ਕਰੋ",
  "required.group": "“{{label}}” ਵਿੱਚ ਘੱਟੋ-ਘੱਟ ਇੱਕ ਵੇਰਵਾ ਜੋੜੋ",
  "required.address": "ਪਤਾ ਦਰਜ ਕਰੋ",
  type: "“{{label}}” ਲਈ ਸਹੀ ਜਵਾਬ ਦਰਜ ਕਰੋ",
  "type.number": "“{{label}}” ਇੱਕ ਸੰਖਿਆ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "type.form": "ਜਵਾਬ ਇੱਕ JSON ਆਬਜੈਕਟ ਵਜੋਂ ਭੇਜੋ",
  unknown_field: "“{{field}}” ਇਸ ਫ਼ਾਰਮ ਦਾ ਸਵਾਲ ਨਹੀਂ ਹੈ",
  not_applicable: "ਤੁਹਾਡੇ ਪਿਛਲੇ ਜਵਾਬਾਂ ਕਾਰਨ “{{label}}” ਲਾਗੂ ਨਹੀਂ ਹੁੰਦਾ",
  too_short: "“{{label}}” ਘੱਟੋ-ਘੱਟ {{min}} ਅੱਖਰਾਂ ਦਾ ਹੋਣਾ ਚਾਹੀਦਾ ਹੈ",
  too_long: "“{{label}}” ਵੱਧ ਤੋਂ ਵੱਧ {{max}} ਅੱਖਰਾਂ ਦਾ ਹੋਣਾ ਚਾਹੀਦਾ ਹੈ",
  pattern: "“{{label}}” ਸਹੀ ਰੂਪ ਵਿੱਚ ਦਰਜ ਕਰੋ",
  too_small: "“{{label}}” {{min}} ਜਾਂ ਇਸ ਤੋਂ ਵੱਧ ਹੋਣਾ ਚਾਹੀਦਾ ਹੈ",
  too_large: "“{{label}}” {{max}} ਜਾਂ ਇਸ ਤੋਂ ਘੱਟ ਹੋਣਾ ਚਾਹੀਦਾ ਹੈ",
  not_integer: "“{{label}}” ਪੂਰੀ ਸੰਖਿਆ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  invalid_option: "“{{label}}” ਲਈ ਦਿੱਤੇ ਵਿਕਲਪਾਂ ਵਿੱਚੋਂ ਇੱਕ ਚੁਣੋ",
  too_few: "“{{label}}” ਲਈ {{min}} ਜਾਂ ਵੱਧ ਵਿਕਲਪ ਚੁਣੋ",
  "too_few.group": "“{{label}}” ਵਿੱਚ ਵੇਰਵਿਆਂ ਦੀ ਗਿਣਤੀ {{min}} ਜਾਂ ਵੱਧ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "too_few.file": "“{{label}}” ਲਈ ਫ਼ਾਈਲਾਂ ਦੀ ਗਿਣਤੀ {{min}} ਜਾਂ ਵੱਧ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  too_many: "“{{label}}” ਲਈ {{max}} ਜਾਂ ਘੱਟ ਵਿਕਲਪ ਚੁਣੋ",
  "too_many.group": "“{{label}}” ਵਿੱਚ ਵੇਰਵਿਆਂ ਦੀ ਗਿਣਤੀ {{max}} ਜਾਂ ਘੱਟ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "too_many.file": "“{{label}}” ਲਈ ਫ਼ਾਈਲਾਂ ਦੀ ਗਿਣਤੀ {{max}} ਜਾਂ ਘੱਟ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  invalid: "“{{label}}” ਲਈ ਸਹੀ ਜਵਾਬ ਦਰਜ ਕਰੋ",
  "invalid.date": "“{{label}}” ਇੱਕ ਅਸਲ ਮਿਤੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "invalid.mobile": "ਮੋਬਾਈਲ ਨੰਬਰ ਸਹੀ ਰੂਪ ਵਿੱਚ ਦਰਜ ਕਰੋ, ਜਿਵੇਂ 98765 43210",
  "invalid.email": "ਈਮੇਲ ਪਤਾ ਸਹੀ ਰੂਪ ਵਿੱਚ ਦਰਜ ਕਰੋ, ਜਿਵੇਂ name@example.com",
  "invalid.pincode": "ਪਿੰਨ ਕੋਡ ਸਹੀ ਰੂਪ ਵਿੱਚ ਦਰਜ ਕਰੋ, ਜਿਵੇਂ 160017",
  "invalid.aadhaar": "ਆਧਾਰ ਨੰਬਰ 12 ਅੰਕਾਂ ਦਾ ਹੋਣਾ ਚਾਹੀਦਾ ਹੈ ਅਤੇ 0 ਜਾਂ 1 ਨਾਲ ਸ਼ੁਰੂ ਨਹੀਂ ਹੋ ਸਕਦਾ",
  "invalid.file": "“{{label}}” ਲਈ ਫ਼ਾਈਲ ਦੁਬਾਰਾ ਅੱਪਲੋਡ ਕਰੋ",
  checksum: "ਆਧਾਰ ਨੰਬਰ ਦੀ ਜਾਂਚ ਕਰੋ: ਇੱਕ ਜਾਂ ਵੱਧ ਅੰਕ ਗ਼ਲਤ ਹਨ",
  too_early: "“{{label}}” {{min}} ਜਾਂ ਉਸ ਤੋਂ ਬਾਅਦ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "too_early.today": "“{{label}}” ਅੱਜ ਦੀ ਜਾਂ ਆਉਣ ਵਾਲੀ ਮਿਤੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  too_late: "“{{label}}” {{max}} ਜਾਂ ਉਸ ਤੋਂ ਪਹਿਲਾਂ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "too_late.today": "“{{label}}” ਅੱਜ ਦੀ ਜਾਂ ਪਿਛਲੀ ਮਿਤੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  district_unknown: "ਸੂਚੀ ਵਿੱਚੋਂ ਜ਼ਿਲ੍ਹਾ ਚੁਣੋ",
  tehsil_not_in_district: "ਤੁਹਾਡੇ ਵੱਲੋਂ ਚੁਣੇ ਗਏ ਜ਼ਿਲ੍ਹੇ ਦੀ ਤਹਿਸੀਲ ਚੁਣੋ",
  "address.line1.required": "ਪਤੇ ਦੀ ਪਹਿਲੀ ਲਾਈਨ ਦਰਜ ਕਰੋ, ਆਮ ਤੌਰ ’ਤੇ ਮਕਾਨ ਨੰਬਰ ਅਤੇ ਗਲੀ ਜਾਂ ਪਿੰਡ",
  "address.line1.too_long": "ਪਤੇ ਦੀ ਪਹਿਲੀ ਲਾਈਨ ਵੱਧ ਤੋਂ ਵੱਧ {{max}} ਅੱਖਰਾਂ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "address.line2.too_long": "ਪਤੇ ਦੀ ਦੂਜੀ ਲਾਈਨ ਵੱਧ ਤੋਂ ਵੱਧ {{max}} ਅੱਖਰਾਂ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
  "address.districtCode.required": "ਜ਼ਿਲ੍ਹਾ ਚੁਣੋ",
  "address.tehsilCode.required": "ਤਹਿਸੀਲ ਚੁਣੋ",
  "address.pincode.required": "ਪਿੰਨ ਕੋਡ ਦਰਜ ਕਰੋ, ਜਿਵੇਂ 160017",
  "address.pincode.invalid": "ਪਿੰਨ ਕੋਡ ਸਹੀ ਰੂਪ ਵਿੱਚ ਦਰਜ ਕਰੋ, ਜਿਵੇਂ 160017",
};

const hi: Record<MessageKey, string> = {
  required: "“{{label}}” के लिए उत्तर दर्ज करें",
  "required.choice": "“{{label}}” के लिए एक उत्तर चुनें",
  "required.file": "“{{label}}” के लिए फ़ाइल अपलोड करें",
  "required.group": "“{{label}}” में कम से कम एक विवरण जोड़ें",
  "required.address": "पता दर्ज करें",
  type: "“{{label}}” के लिए सही उत्तर दर्ज करें",
  "type.number": "“{{label}}” एक संख्या होनी चाहिए",
  "type.form": "उत्तर एक JSON ऑब्जेक्ट के रूप में भेजें",
  unknown_field: "“{{field}}” इस फ़ॉर्म का प्रश्न नहीं है",
  not_applicable: "आपके पिछले उत्तरों के कारण “{{label}}” लागू नहीं होता",
  too_short: "“{{label}}” कम से कम {{min}} अक्षरों का होना चाहिए",
  too_long: "“{{label}}” अधिकतम {{max}} अक्षरों का होना चाहिए",
  pattern: "“{{label}}” सही प्रारूप में दर्ज करें",
  too_small: "“{{label}}” {{min}} या उससे अधिक होना चाहिए",
  too_large: "“{{label}}” {{max}} या उससे कम होना चाहिए",
  not_integer: "“{{label}}” पूर्ण संख्या होनी चाहिए",
  invalid_option: "“{{label}}” के लिए दिए गए विकल्पों में से एक चुनें",
  too_few: "“{{label}}” के लिए {{min}} या अधिक विकल्प चुनें",
  "too_few.group": "“{{label}}” में विवरणों की संख्या {{min}} या अधिक होनी चाहिए",
  "too_few.file": "“{{label}}” के लिए फ़ाइलों की संख्या {{min}} या अधिक होनी चाहिए",
  too_many: "“{{label}}” के लिए {{max}} या कम विकल्प चुनें",
  "too_many.group": "“{{label}}” में विवरणों की संख्या {{max}} या कम होनी चाहिए",
  "too_many.file": "“{{label}}” के लिए फ़ाइलों की संख्या {{max}} या कम होनी चाहिए",
  invalid: "“{{label}}” के लिए सही उत्तर दर्ज करें",
  "invalid.date": "“{{label}}” एक वास्तविक तिथि होनी चाहिए",
  "invalid.mobile": "मोबाइल नंबर सही प्रारूप में दर्ज करें, जैसे 98765 43210",
  "invalid.email": "ईमेल पता सही प्रारूप में दर्ज करें, जैसे name@example.com",
  "invalid.pincode": "पिन कोड सही प्रारूप में दर्ज करें, जैसे 160017",
  "invalid.aadhaar": "आधार नंबर 12 अंकों का होना चाहिए और 0 या 1 से शुरू नहीं हो सकता",
  "invalid.file": "“{{label}}” के लिए फ़ाइल फिर से अपलोड करें",
  checksum: "आधार नंबर जाँचें: एक या अधिक अंक गलत हैं",
  too_early: "“{{label}}” {{min}} या उसके बाद की होनी चाहिए",
  "too_early.today": "“{{label}}” आज की या आने वाली तिथि होनी चाहिए",
  too_late: "“{{label}}” {{max}} या उससे पहले की होनी चाहिए",
  "too_late.today": "“{{label}}” आज की या पिछली तिथि होनी चाहिए",
  district_unknown: "सूची में से ज़िला चुनें",
  tehsil_not_in_district: "आपके द्वारा चुने गए ज़िले की तहसील चुनें",
  "address.line1.required": "पते की पहली पंक्ति दर्ज करें, आमतौर पर मकान नंबर और गली या गाँव",
  "address.line1.too_long": "पते की पहली पंक्ति अधिकतम {{max}} अक्षरों की होनी चाहिए",
  "address.line2.too_long": "पते की दूसरी पंक्ति अधिकतम {{max}} अक्षरों की होनी चाहिए",
  "address.districtCode.required": "ज़िला चुनें",
  "address.tehsilCode.required": "तहसील चुनें",
  "address.pincode.required": "पिन कोड दर्ज करें, जैसे 160017",
  "address.pincode.invalid": "पिन कोड सही प्रारूप में दर्ज करें, जैसे 160017",
};

/** The default catalogs (same keys and placeholders in every language; tested). */
export const DEFAULT_MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, pa, hi };

/**
 * The default message for an error, most specific key first:
 * `<refinement>.<code>` for address parts (`address.line1.required`), then
 * `<code>.<refinement>` (`required.choice`, `invalid.mobile`), then `<code>`,
 * then `invalid`. Refinements are the field kind (`choice` for select,
 * radios, checkboxes and yes/no; `file`; `group`; `address`; the type name
 * otherwise) and, for `too_early`/`too_late` against today, `today`.
 */
export function defaultMessage(lang: Lang, code: string, refinements: readonly string[]): string {
  const catalog = DEFAULT_MESSAGES[lang] as Record<string, string>;
  for (const r of refinements) {
    const before = catalog[`${r}.${code}`];
    if (before !== undefined) return before;
    const after = catalog[`${code}.${r}`];
    if (after !== undefined) return after;
  }
  return catalog[code] ?? (catalog.invalid as string);
}

/** Fill `{{name}}` placeholders from `params`; unknown placeholders are left as they are. Plain text: the view escapes it. */
export function interpolate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The `{{name}}` placeholders of a text, sorted and without repeats (the linter compares them across languages). */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string))].sort();
}
