// Pieces every view uses: the flash line, badges, headings, loading and error states.

import { h, replace } from "./dom.js";
import { label, sla } from "./format.js";

const flashRegion = () => document.getElementById("flash");

/** One message at the top of the page, announced politely; errors and warnings assertively. */
export function flash(message, kind = "info") {
  const region = flashRegion();
  region.className = `flash flash-${kind}`;
  region.setAttribute("role", kind === "error" || kind === "warning" ? "alert" : "status");
  replace(
    region,
    h("span", {}, message),
    h("button", { type: "button", class: "flash-close", "aria-label": "Dismiss message", onclick: clearFlash }, "×"),
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
  awaiting_seller: "muted",
  awaiting_buyer: "muted",
  escalated: "muted",
};

export function statusBadge(status) {
  return badge(label(status), STATUS_TONES[status] || "neutral");
}

export function slaBadge(waiting, now = Date.now()) {
  const state = sla(waiting, now);
  if (!state) return null;
  const tone = { breached: "danger", "due-soon": "warning", "on-time": "quiet" }[state.state];
  return h("span", { class: "sla" }, badge(state.label, tone), h("span", { class: "sla-detail" }, state.detail));
}

/** Cases in the senior queue (appeals, or a review SLA that passed), for senior reviewers only. */
export function seniorMarker(dispute) {
  if (dispute.appeal) return badge("Senior · appeal", "senior", "An appeal: a senior reviewer decides");
  if (dispute.senior_queue_since) {
    return badge("Senior · SLA passed", "senior", "Moved to the senior queue when the review SLA passed");
  }
  return null;
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

export function problem(error, retry) {
  return h(
    "div",
    { class: "panel panel-error", role: "alert" },
    h("p", {}, error.message || String(error)),
    retry ? h("button", { type: "button", class: "button", onclick: retry }, "Try again") : null,
  );
}

export function section(title, ...children) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), children);
}
