// A disputed receipt: the return (or reshipment) arrived in a bad condition, and the reviewer decides what the
// buyer is still owed: in full, reduced (within the storefront's limit, which the API reports), or nothing.

import { fields, h } from "./dom.js";
import { evidenceItem } from "./evidence.js";
import { field, group } from "./forms.js";
import { dateTime, label, money, parseMajor } from "./format.js";
import { t } from "./i18n.js";

export function receiptDraft() {
  return { choice: "", amount: "", notes: "", bounds: null };
}

/** What "in full" means: the refund the remedy owed, or the item price when only goods were to move. */
function fullAmount(dispute, draft) {
  return boundsOf(dispute, draft)?.full ?? (dispute.fulfilment.owed || dispute.amount_paid);
}

/** The amounts a reviewer may decide: the case states them; a 422 from the API refreshes them. */
function boundsOf(dispute, draft) {
  const review = dispute.fulfilment.receipt_review;
  if (draft.bounds) return draft.bounds;
  return Number.isInteger(review?.full) && Number.isInteger(review?.least)
    ? { full: review.full, least: review.least }
    : null;
}

function boundsText(bounds, currency) {
  return t("receipt.bounds", { least: money(bounds.least, currency), full: money(bounds.full, currency) });
}

/** The step the report was about, as the fulfilment record holds it (the latest of that kind). */
function reportedStep(dispute) {
  const review = dispute.fulfilment.receipt_review;
  return [...dispute.fulfilment.steps].reverse().find((step) => step.step === review.step && step.done_at) || null;
}

/** What the reporter said, and the evidence they added with the report. */
export function reportSummary(dispute, evidence) {
  const review = dispute.fulfilment.receipt_review;
  const step = reportedStep(dispute);
  const ids = new Set(step?.details?.evidence_ids || []);
  const items = evidence.filter((item) => ids.has(item.evidence_id));
  return [
    fields([
      [t("field.step"), label(review.step)],
      [t("field.reported"), h("strong", { id: "reported-condition" }, label(review.condition))],
      [t("field.by"), `${review.reported_by}, ${dateTime(review.reported_at)}`],
      [t("field.note"), step?.details?.note ? h("q", { class: "api-text" }, step.details.note) : null],
    ]),
    h("h3", {}, t("receipt.theirEvidence")),
    items.length
      ? h(
          "ul",
          { class: "evidence-list", id: "receipt-evidence" },
          items.map((item) =>
            h("li", { class: `evidence evidence-${item.kind}` }, evidenceItem(item, item.party)),
          ),
        )
      : h("p", { class: "muted" }, t("receipt.noEvidence")),
  ];
}

/** The choice, the reduced amount and the notes, bound to `draft` (kept across reloads of the case). */
export function receiptFields(draft, dispute) {
  const currency = dispute.currency;
  const full = () => fullAmount(dispute, draft);
  const fullLabel = h("span", {});
  const hint = h("span", {});
  const describe = () => {
    fullLabel.textContent = t("receipt.full", { amount: money(full(), currency) });
    hint.textContent = boundsOf(dispute, draft)
      ? boundsText(boundsOf(dispute, draft), currency)
      : t("receipt.limitHint", { currency });
  };
  describe();
  const radios = [];
  const choose = (value) => {
    draft.choice = value;
    for (const radio of radios) radio.checked = radio.value === value;
  };
  const option = (value, text) => {
    const radio = h("input", { type: "radio", name: "owed-choice", value, checked: draft.choice === value });
    radio.addEventListener("change", () => choose(value));
    radios.push(radio);
    return h("label", { class: "check choice" }, radio, " ", text);
  };
  const amount = h("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    name: "owed",
    value: draft.amount,
  });
  amount.addEventListener("input", () => {
    draft.amount = amount.value;
    if (amount.value.trim()) choose("reduced"); // typing an amount is choosing to reduce
  });
  return {
    describe,
    nodes: [
      group({
        legend: t("receipt.legend"),
        path: "choice",
        className: "group choices",
        children: [
          option("full", fullLabel),
          option("reduced", t("receipt.reduced")),
          field({
            label: t("receipt.reducedAmount", { currency }),
            path: "owed",
            className: "field field-amount choice-amount",
            hint,
            control: amount,
          }),
          option("nothing", t("receipt.nothing")),
        ],
      }),
      field({
        label: t("ruling.notes"),
        path: "notes",
        control: bindNotes(h("textarea", { name: "notes", rows: "3" }), draft),
      }),
    ],
  };
}

function bindNotes(control, draft) {
  control.value = draft.notes;
  control.addEventListener("input", () => {
    draft.notes = control.value;
  });
  return control;
}

/** The receipt-decision request, or the problems that keep it from being sent, on the API's field names. */
export function receiptBody(draft, dispute) {
  const currency = dispute.currency;
  const notes = draft.notes.trim() || undefined;
  if (draft.choice === "full") return { body: { owed: fullAmount(dispute, draft), notes }, problems: [] };
  if (draft.choice === "nothing") return { body: { owed: 0, notes }, problems: [] };
  if (draft.choice !== "reduced") {
    return { problems: [{ field: "choice", message: t("receipt.choose") }] };
  }
  const parsed = parseMajor(draft.amount, currency);
  if (parsed.problem) return { problems: [{ field: "owed", message: parsed.problem }] };
  if (parsed.minor <= 0) {
    return { problems: [{ field: "owed", message: t("receipt.aboveZero") }] };
  }
  const bounds = boundsOf(dispute, draft);
  if (bounds && (parsed.minor < bounds.least || parsed.minor > bounds.full)) {
    return { problems: [{ field: "owed", message: outOfBounds(bounds, currency) }] };
  }
  return { body: { owed: parsed.minor, notes }, problems: [] };
}

function outOfBounds(bounds, currency) {
  return t("receipt.outOfBounds", { least: money(bounds.least, currency), full: money(bounds.full, currency) });
}

/**
 * The API refuses an amount outside its bounds with 422 and details [{field: "owed", full, least, currency}]
 * in minor units: remember the bounds, and say them in the currency's own units next to the field.
 */
export function explainRefusal(error, draft, currency) {
  const bound = error.details?.find(
    (detail) => detail.field === "owed" && Number.isInteger(detail.full) && Number.isInteger(detail.least),
  );
  if (!bound) return error;
  draft.bounds = { full: bound.full, least: bound.least };
  const unit = bound.currency || currency;
  error.details = [{ field: "owed", message: outOfBounds(draft.bounds, unit) }];
  error.message = t("receipt.refused", { bounds: boundsText(draft.bounds, unit) });
  return error;
}
