// Overriding the recommendation: outcome, liability, who pays the return postage, compensation lines,
// penalties and the written reason.

import { h, replace, select } from "./dom.js";
import { field, group } from "./forms.js";
import { label, majorText, money, parseMajor } from "./format.js";
import { t } from "./i18n.js";

const OUTCOMES = ["refund_full", "refund_partial", "return_and_refund", "exchange", "repair", "claim_denied"];
const LIABILITIES = ["seller", "buyer", "carrier", "platform", "shared"];
const PAYEES = ["buyer", "seller", "carrier", "platform"];
const COMPENSATION_KINDS = ["refund", "return_shipping", "goodwill"];
const PARTIES = ["buyer", "seller"];
const PENALTY_KINDS = ["points", "fine", "warning", "listing_restriction"];

const options = (values) => values.map((value) => [value, label(value)]);
// A ruling that sends the item back names who pays its postage; any other names none (docs/RULES.md).
const postagePayers = () => [["", t("ruling.noReturn")], ...options(PAYEES)];

/** A draft starts from the recommendation, so an override changes only what the reviewer disagrees with. */
export function draftFrom(dispute) {
  const recommended = dispute.recommendation?.ruling;
  return {
    outcome: recommended?.outcome || "refund_partial",
    liability: recommended?.liability || "seller",
    return_shipping_payer: recommended?.return_shipping_payer || "",
    compensation: (recommended?.compensation || []).map((line) => ({
      payer: line.payer,
      payee: line.payee,
      kind: line.kind,
      amount: majorText(line.amount, dispute.currency),
    })),
    penalties: (recommended?.penalties || []).map((penalty) => ({ ...penalty, value: String(penalty.value) })),
    notes: "",
    override_reason: "",
  };
}

/** The fields of the override form, bound to `draft` (kept across reloads of the case). */
export function rulingFields(draft, dispute) {
  const currency = dispute.currency;
  const lines = h("div", { class: "lines" });
  const penalties = h("div", { class: "lines" });
  const drawLines = () =>
    replace(
      lines,
      draft.compensation.map((line, index) => compensationLine(draft, index, currency, drawLines)),
    );
  const drawPenalties = () =>
    replace(
      penalties,
      draft.penalties.map((penalty, index) => penaltyLine(draft, index, drawPenalties)),
    );
  drawLines();
  drawPenalties();
  const addLine = () => {
    draft.compensation.push({ payer: "seller", payee: "buyer", kind: "refund", amount: "" });
    drawLines();
    lines.querySelector(".line:last-child input")?.focus();
  };
  const addPenalty = () => {
    draft.penalties.push({ party: "seller", kind: "points", value: "1" });
    drawPenalties();
    penalties.querySelector(".line:last-child select")?.focus();
  };
  return [
    h(
      "div",
      { class: "row" },
      field({
        label: t("field.outcome"),
        path: "outcome",
        control: bound(select({ name: "outcome" }, options(OUTCOMES), draft.outcome), draft, "outcome"),
      }),
      field({
        label: t("field.liable"),
        path: "liability",
        control: bound(select({ name: "liability" }, options(LIABILITIES), draft.liability), draft, "liability"),
      }),
      field({
        label: t("field.postage"),
        path: "return_shipping_payer",
        control: bound(
          select({ name: "return_shipping_payer" }, postagePayers(), draft.return_shipping_payer ?? ""),
          draft,
          "return_shipping_payer",
        ),
      }),
    ),
    group({
      legend: t("ruling.compensationIn", { currency }),
      path: "compensation",
      children: [
        h(
          "p",
          { class: "hint" },
          t("ruling.atMost", { amount: money(dispute.amount_paid + dispute.shipping_paid, currency) }),
        ),
        lines,
        h("button", { type: "button", class: "button button-quiet", onclick: addLine }, t("ruling.addLine")),
      ],
    }),
    group({
      legend: t("ruling.penaltiesLegend"),
      path: "penalties",
      children: [
        penalties,
        h("button", { type: "button", class: "button button-quiet", onclick: addPenalty }, t("ruling.addPenalty")),
      ],
    }),
    field({
      label: t("ruling.notes"),
      path: "notes",
      control: bound(h("textarea", { name: "notes", rows: "3" }), draft, "notes"),
    }),
    field({
      label: t("override.reason"),
      path: "override_reason",
      hint: t("override.reasonHint"),
      control: bound(
        h("textarea", { name: "override_reason", rows: "3", "aria-required": "true" }),
        draft,
        "override_reason",
      ),
    }),
  ];
}

function compensationLine(draft, index, currency, redraw) {
  const line = draft.compensation[index];
  const path = `compensation[${index}]`;
  const remove = () => {
    draft.compensation.splice(index, 1);
    redraw();
  };
  return h(
    "div",
    { class: "line line-compensation", role: "group", "aria-label": t("ruling.line", { n: index + 1 }) },
    field({
      label: t("field.payer"),
      path: `${path}.payer`,
      control: bound(select({}, options(PAYEES), line.payer), line, "payer"),
    }),
    field({
      label: t("field.payee"),
      path: `${path}.payee`,
      control: bound(select({}, options(PAYEES), line.payee), line, "payee"),
    }),
    field({
      label: t("field.kind"),
      path: `${path}.kind`,
      control: bound(select({}, options(COMPENSATION_KINDS), line.kind), line, "kind"),
    }),
    field({
      label: t("field.amountIn", { currency }),
      path: `${path}.amount`,
      className: "field field-amount",
      control: bound(
        h("input", { type: "text", inputmode: "decimal", autocomplete: "off", value: line.amount }),
        line,
        "amount",
      ),
    }),
    h(
      "button",
      {
        type: "button",
        class: "button button-quiet remove",
        onclick: remove,
        "aria-label": t("ruling.removeLine", { n: index + 1 }),
      },
      t("common.remove"),
    ),
  );
}

function penaltyLine(draft, index, redraw) {
  const penalty = draft.penalties[index];
  const path = `penalties[${index}]`;
  const remove = () => {
    draft.penalties.splice(index, 1);
    redraw();
  };
  return h(
    "div",
    { class: "line line-penalty", role: "group", "aria-label": t("ruling.penaltyN", { n: index + 1 }) },
    field({
      label: t("field.party"),
      path: `${path}.party`,
      control: bound(select({}, options(PARTIES), penalty.party), penalty, "party"),
    }),
    field({
      label: t("field.kind"),
      path: `${path}.kind`,
      control: bound(select({}, options(PENALTY_KINDS), penalty.kind), penalty, "kind"),
    }),
    field({
      label: t("field.value"),
      path: `${path}.value`,
      className: "field field-amount",
      control: bound(
        h("input", { type: "text", inputmode: "numeric", autocomplete: "off", value: penalty.value }),
        penalty,
        "value",
      ),
    }),
    h(
      "button",
      {
        type: "button",
        class: "button button-quiet remove",
        onclick: remove,
        "aria-label": t("ruling.removePenalty", { n: index + 1 }),
      },
      t("common.remove"),
    ),
  );
}

/** Keep `target[key]` equal to the control's value as the reviewer types. */
function bound(control, target, key) {
  control.value = target[key] ?? "";
  control.addEventListener("input", () => {
    target[key] = control.value;
  });
  control.addEventListener("change", () => {
    target[key] = control.value;
  });
  return control;
}

/** The ruling request, or the fields whose text cannot be sent (e.g. "12.345" yuan) with the API's own paths. */
export function rulingBody(draft, currency) {
  const problems = [];
  const compensation = draft.compensation.map((line, index) => {
    const parsed = parseMajor(line.amount, currency);
    if (parsed.problem) problems.push({ field: `compensation[${index}].amount`, message: parsed.problem });
    return { payer: line.payer, payee: line.payee, kind: line.kind, amount: parsed.minor, currency };
  });
  const penalties = draft.penalties.map((penalty, index) => {
    const text = String(penalty.value).trim();
    if (!/^\d+$/.test(text)) problems.push({ field: `penalties[${index}].value`, message: t("ruling.wholeNumber") });
    return { party: penalty.party, kind: penalty.kind, value: Number(text) };
  });
  const body = {
    outcome: draft.outcome,
    liability: draft.liability,
    return_shipping_payer: draft.return_shipping_payer || undefined,
    compensation,
    penalties,
    notes: draft.notes.trim() || undefined,
    override_reason: draft.override_reason.trim() || undefined,
  };
  return { body, problems };
}
