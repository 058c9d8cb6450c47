// The merchant's texts in the store's other languages (docs/i18n.md, "Merchant content"): fields
// for them in the dashboard's forms, and the `translations` object the admin API takes
// ({"en": {"name": …, "description": …}}). The API replaces the stored object as a whole, so what
// a form sends keeps the languages it did not show as they were.
import { el, languageName, otherLanguages, t } from "../common.js";
import { state } from "./context.js";

/** The languages the merchant translates into here: all but the store's own (its originals). */
export const targetLanguages = () => otherLanguages(state.storeLocale);

/**
 * A labelled input for one field of `row` in language `tag`, named `${prefix}.${tag}.${field}`
 * and filled with the stored translation. `limits` maps a field to its maximum length; a
 * description gets a textarea.
 */
export function translationInput(row, prefix, tag, field, limits, labelText) {
  const long = field === "description";
  const control = el(long ? "textarea" : "input", "", { name: `${prefix}.${tag}.${field}`, maxlength: limits[field],
    lang: tag, rows: long ? 2 : null, autocomplete: long ? null : "off" });
  control.value = row?.translations?.[tag]?.[field] ?? "";
  const wrap = el("label", "");
  wrap.append(el("span", labelText), control);
  return wrap;
}

/** The name and description fields of a product or campaign, labelled by language. */
export function nameAndDescription(row, prefix, tag, limits) {
  const language = languageName(tag);
  return Object.keys(limits).map((field) => translationInput(row, prefix, tag, field, limits,
    t(field === "name" ? "admin.content.name_in" : "admin.content.description_in", { language })));
}

/** A fieldset per target language, filled by `fields(tag)` (an array of nodes). */
export function languageFieldsets(fields) {
  return targetLanguages().map((tag) => {
    const box = el("fieldset", "", { class: "translations", lang: tag });
    box.append(el("legend", languageName(tag)), ...fields(tag));
    return box;
  });
}

/**
 * The translations to send, from a form's `values` (named as translationInput names them) over the
 * row's stored `existing` ones: empty fields dropped, a language with none left removed, null when
 * nothing is left (the API's "clear").
 */
export function translationsFrom(values, existing, prefix, fields) {
  const result = { ...(existing ?? {}) };
  for (const tag of targetLanguages()) {
    const texts = {};
    for (const field of fields) {
      const text = String(values[`${prefix}.${tag}.${field}`] ?? "").trim();
      if (text) texts[field] = text;
    }
    if (Object.keys(texts).length) result[tag] = texts;
    else delete result[tag];
  }
  return Object.keys(result).length ? result : null;
}

/** Whether two translation objects say the same (key order aside): unchanged rows are not sent. */
export function sameTranslations(a, b) {
  const canonical = (value) => JSON.stringify(Object.entries(value ?? {}).sort()
    .map(([tag, texts]) => [tag, Object.entries(texts).sort()]));
  return canonical(a) === canonical(b);
}
