// Pieces every view uses: the flash line, badges, headings, loading and error states.

import { h, replace } from "./dom.js";
import { inline, label, sla, stepDue } from "./format.js";
import { headline } from "./forms.js";
import { t } from "./i18n.js";

const flashRegion = () => document.getElementById("flash");

/** One message at the top of the page, announced politely; errors and warnings assertively. */
export function flash(message, kind = "info") {
  const region = flashRegion();
  region.className = `flash flash-${kind}`;
  region.setAttribute("role", kind === "error" || kind === "warning" ? "alert" : "status");
  replace(
    region,
    h("span", {}, message),
    h("button", { type: "button", class: "flash-close", "aria-label": t("flash.dismiss"), onclick: clearFlash }, "×"),
  );
  region.hidden = false;
}

export function clearFlash() {
  const region = flashRegion();
  region.hidden = true;
  region.replaceChildren();
}

/** The view's heading, focused after navigation so keyboard and screen-reader users land on it. */
export function heading(text, level = "h1") {
  return h(level, { class: "page-title", tabindex: "-1" }, text);
}

export function focusHeading(root) {
  const title = root.querySelector(".page-title");
  if (title) title.focus({ preventScroll: false });
}

export function badge(text, tone = "neutral", title) {
  return h("span", { class: `badge badge-${tone}`, title }, text);
}

const STATUS_TONES = {
  under_review: "info",
  appealed: "warning",
  ruled: "success",
  closed: "neutral",
  fulfilling: "success",
  awaiting_seller: "muted",
  awaiting_buyer: "muted",
  escalated: "muted",
};

export function statusBadge(status) {
  return badge(label(status), STATUS_TONES[status] || "neutral");
}

const DUE_TONES = { breached: "danger", overdue: "danger", "due-soon": "warning", "on-time": "quiet" };

function dueBadge(state) {
  if (!state) return null;
  return h(
    "span",
    { class: "sla", dataset: { due: state.state } },
    badge(state.label, DUE_TONES[state.state]),
    h("span", { class: "sla-detail" }, state.detail),
  );
}

export function slaBadge(waiting, now = Date.now()) {
  return dueBadge(sla(waiting, now));
}

/** A fulfilment step's deadline: on time, due soon (its party was reminded), overdue. */
export function stepBadge(waiting, now = Date.now()) {
  return dueBadge(stepDue(waiting, now));
}

export const FULFILMENT_STEPS = ["return_shipment", "return_receipt", "refund", "reshipment", "reshipment_receipt"];

/** The badge for whatever the case waits on: a step's deadline while fulfilling, else the SLA. */
export function windowBadge(waiting, now = Date.now()) {
  if (!waiting) return null;
  return FULFILMENT_STEPS.includes(waiting.kind) ? stepBadge(waiting, now) : slaBadge(waiting, now);
}

/** Cases in the senior queue (appeals, or a review SLA that passed), for senior reviewers only. */
export function seniorMarker(dispute) {
  if (dispute.appeal) return badge(t("senior.appeal"), "senior", t("senior.appealTitle"));
  if (dispute.senior_queue_since) return badge(t("senior.sla"), "senior", t("senior.slaTitle"));
  return null;
}

/** A receipt reported in a bad condition, back with a reviewer to decide what is still owed. */
export function receiptMarker(dispute) {
  const review = dispute.fulfilment?.receipt_review;
  if (!review) return null;
  const what = t("receipt.markerTitle", { step: inline(review.step), condition: inline(review.condition) });
  return badge(t("receipt.marker"), "warning", what);
}

export function loading(text = t("common.loading")) {
  return h("p", { class: "loading", role: "status" }, text);
}

export function problem(error, retry) {
  const details = (error.details || []).map((detail) => detail.message).filter((message) => message);
  return h(
    "div",
    { class: "panel panel-error", role: "alert" },
    error.code ? headline(error) : h("p", { class: "api-text" }, error.message || String(error)),
    details.length ? h("ul", { class: "api-text" }, details.map((message) => h("li", {}, message))) : null,
    retry ? h("button", { type: "button", class: "button", onclick: retry }, t("common.tryAgain")) : null,
  );
}

/** A panel with its heading; `name` gives it a stable id (section-<name>) whatever the language. */
export function section(name, title, ...children) {
  const id = `section-${name}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), children);
}
