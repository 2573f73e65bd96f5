// Form fields with an error slot each, and the API's error.details[].field paths mapped onto them.

import { h, replace, uid } from "./dom.js";
import { has, locale, t } from "./i18n.js";

/**
 * A labelled control. `path` is the API's name for the value (e.g. "compensation[0].amount"):
 * an error the API reports for that path appears right under the control.
 */
export function field({ label, path, control, hint, className = "field" }) {
  const errorId = uid("error");
  const hintId = hint ? uid("hint") : null;
  control.id = control.id || uid("input");
  control.dataset.field = path;
  control.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  return h(
    "div",
    { class: className },
    h("label", { for: control.id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    control,
    errorSlot(path, errorId),
  );
}

/** A group of controls (compensation lines, parties) with one error slot for the group as a whole. */
export function group({ legend, path, children, className = "group" }) {
  const errorId = uid("error");
  return h(
    "fieldset",
    { class: className, "data-field": path, "aria-describedby": errorId },
    h("legend", {}, legend),
    errorSlot(path, errorId),
    children,
  );
}

function errorSlot(path, id) {
  return h("p", { class: "field-error", id, "data-error-for": path, "aria-live": "polite" });
}

/** The box at the top of a form that names what went wrong (announced at once). */
export function errorSummary() {
  return h("div", { class: "form-errors", role: "alert", tabindex: "-1", hidden: true });
}

/** "compensation.0.amount" (pydantic) and "compensation[0].amount" (rulings) name the same field. */
export function normalizePath(path) {
  return String(path || "").replace(/\.(\d+)(?=\.|$)/g, "[$1]");
}

function parentPath(path) {
  const trimmed = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
  return trimmed === path ? "" : trimmed;
}

function slotFor(form, path) {
  for (let current = path; current; current = parentPath(current)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(current)}"]`);
    if (slot) return { slot, path: current };
  }
  return null;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.replaceChildren();
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-errors");
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/**
 * Put each of the API's errors next to its field; what has no field goes in the summary. Focus the first.
 * `explain(detail)` may say a detail in the reviewer's words (amounts in the currency, no field names);
 * otherwise the API's own message shows.
 */
export function showErrors(form, error, explain = () => null) {
  clearErrors(form);
  const details = error.details && error.details.length ? error.details : [{}];
  const unplaced = [];
  let first = null;
  for (const detail of details) {
    const message = detail.message || error.message;
    const found = detail.field ? slotFor(form, normalizePath(detail.field)) : null;
    if (!found) {
      if (message !== error.message) unplaced.push(message);
      continue;
    }
    const said = detail.message ? explain(detail) : null;
    found.slot.append(said ? h("span", {}, said) : h("span", { class: "api-text" }, sentence(message)));
    const control = form.querySelector(`[data-field="${CSS.escape(found.path)}"]`);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      first = first || control;
    }
  }
  const summary = form.querySelector(".form-errors");
  if (summary) {
    replace(
      summary,
      headline(error),
      unplaced.length
        ? h(
            "ul",
            {},
            unplaced.map((text) => h("li", {}, sentence(text))),
          )
        : null,
    );
    summary.hidden = false;
  }
  const target =
    first && first.matches("fieldset")
      ? first.querySelector("input[type=text]") || first.querySelector("input, select, textarea")
      : first;
  (target || summary)?.focus?.();
}

/**
 * What went wrong, in the reviewer's language: outside English, the error code's own words first, then the
 * API's message (which names the exact problem) beside it; in English, the message alone.
 */
export function headline(error) {
  const key = `error.${error.code}`;
  if (locale() === "en" || !has(key)) return h("p", { class: "api-text" }, sentence(error.message));
  return h("p", {}, t(key), " ", h("span", { class: "api-text muted" }, sentence(error.message)));
}

/** The API's messages are lower-case clauses; shown alone, they read better as sentences. */
function sentence(text) {
  const value = String(text || "");
  return value.charAt(0).toUpperCase() + value.slice(1);
}
