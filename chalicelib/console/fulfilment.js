// Carrying out the final decision: the remedy, what is owed, and each step with who acts, when, and what happened.

import { fields, h } from "./dom.js";
import { dateTime, label, money } from "./format.js";
import { badge, section, stepBadge } from "./ui.js";

const OUTCOMES = {
  completed: ["Completed", "success"],
  lapsed: ["Lapsed: the return was never shipped", "neutral"],
  platform_refunded: ["Platform refunded", "warning"],
  not_required: ["Nothing was owed", "neutral"],
};

const CONDITIONS = {
  received_ok: "Received in good order.",
  not_received: "Reported as not received.",
  damaged: "Received damaged.",
  different_item: "A different item arrived.",
  missing_parts: "Received with parts missing.",
};

// Who acts in each step (DESIGN section 10); the API names the party of the steps opened so far.
const STEP_PARTIES = {
  return_shipment: "buyer",
  return_receipt: "seller",
  refund: "storefront",
  reshipment: "seller",
  reshipment_receipt: "buyer",
};

/** Who acts in a step of this case: "Seller (seller-42)". */
export function stepActor(dispute, party) {
  const who = { buyer: dispute.buyer_id, seller: dispute.seller_id, storefront: dispute.storefront_id }[party];
  return who ? `${label(party)} (${who})` : label(party);
}

/** A step's details in plain words, one sentence each. */
export function stepDetails(step, currency) {
  const details = step.details || {};
  const said = [];
  if (details.carrier || details.tracking_number) {
    const tracking = details.tracking_number || "not given";
    said.push(`Shipped with ${details.carrier || "a carrier"}, tracking number ${tracking}.`);
  }
  if (details.deemed) {
    said.push("Deemed received in good order: nobody reported the receipt before its deadline.");
  } else if (details.condition) {
    said.push(CONDITIONS[details.condition] || `Received: ${label(details.condition).toLowerCase()}.`);
  }
  if (details.note) said.push(`Note: “${details.note}”`);
  if (details.evidence_ids?.length) {
    const count = details.evidence_ids.length;
    said.push(`Reported with ${count} piece${count === 1 ? "" : "s"} of evidence (see the statements and evidence).`);
  }
  if (details.paid_by === "platform") {
    said.push(
      "Platform refunded: the refund was not reported in time, so the platform paid the buyer and recovers it from the seller.",
    );
  } else if (details.amount !== undefined) {
    const reference = details.reference ? `, reference ${details.reference}` : "";
    said.push(`Refunded ${money(details.amount, details.currency || currency)}${reference}.`);
  }
  if (details.becomes === "refund") said.push("Not shipped in time: the item price is refunded instead.");
  else if (details.overdue && step.step === "return_shipment") {
    said.push("Not shipped in time: the remedy lapsed.");
  }
  return said;
}

function doneBy(by) {
  return by === "system" ? "the platform, when the deadline passed" : by;
}

function isCurrent(fulfilment, step) {
  return !step.done_at && !fulfilment.outcome && fulfilment.step === step.step;
}

function stepItem(dispute, step, index) {
  const fulfilment = dispute.fulfilment;
  const current = isCurrent(fulfilment, step);
  // The case's open window carries the reminder time; the step record alone does not.
  const waiting = current && dispute.open_window?.kind === step.step ? dispute.open_window : step;
  const details = stepDetails(step, fulfilment.currency);
  return h(
    "li",
    {
      class: current ? "step step-current" : step.done_at ? "step step-done" : "step",
      "aria-current": current ? "step" : null,
      dataset: { step: step.step },
    },
    h(
      "h3",
      {},
      `${index + 1}. ${label(step.step)}`,
      " ",
      current ? badge("Now", "info") : step.done_at ? badge("Done", "quiet") : null,
    ),
    fields([
      ["Who acts", stepActor(dispute, step.party)],
      ["Opened", dateTime(step.opened_at)],
      ["Due", current ? h("span", {}, dateTime(step.due_at), " ", stepBadge(waiting)) : dateTime(step.due_at)],
      ["Done", step.done_at ? `${dateTime(step.done_at)} by ${doneBy(step.by)}` : null],
    ]),
    details.length
      ? h(
          "ul",
          { class: "step-details" },
          details.map((text) => h("li", {}, text)),
        )
      : null,
  );
}

function planned(dispute, step, index) {
  const who = STEP_PARTIES[step];
  return h(
    "li",
    { class: "step step-next", dataset: { step } },
    h("h3", {}, `${index + 1}. ${label(step)}`, " ", badge("Next", "quiet")),
    who ? h("p", { class: "muted small" }, `${stepActor(dispute, who)} acts once the step before is done.`) : null,
  );
}

function waitingFor(dispute) {
  const fulfilment = dispute.fulfilment;
  const review = fulfilment.receipt_review;
  if (review) {
    return h(
      "p",
      { class: "notice", id: "receipt-review-notice" },
      h("strong", {}, "Disputed receipt: "),
      `${review.reported_by} reported the ${label(review.step).toLowerCase()} as ` +
        `${label(review.condition).toLowerCase()} on ${dateTime(review.reported_at)}. ` +
        "A reviewer decides what the buyer is still owed.",
    );
  }
  if (fulfilment.outcome || !fulfilment.step) return null;
  return h(
    "p",
    { class: "current-step" },
    h("strong", {}, "Waiting for: "),
    `${label(fulfilment.step).toLowerCase()} by the ${fulfilment.party}, due ${dateTime(fulfilment.due_at)} `,
    stepBadge(dispute.open_window?.kind === fulfilment.step ? dispute.open_window : fulfilment),
  );
}

export function fulfilmentSection(dispute) {
  const fulfilment = dispute.fulfilment;
  if (!fulfilment) return null;
  const [outcome, tone] = OUTCOMES[fulfilment.outcome] || [label(fulfilment.outcome), "neutral"];
  const owed = fulfilment.owed
    ? h("strong", { class: "amount" }, money(fulfilment.owed, fulfilment.currency))
    : h("span", { class: "muted" }, "No money: only goods move");
  const done = fulfilment.steps.length;
  return section(
    "Fulfilment",
    fields([
      ["Remedy", label(fulfilment.remedy)],
      ["Owed to the buyer", owed],
      ["Outcome", fulfilment.outcome ? badge(outcome, tone) : h("span", { class: "muted" }, "Not finished yet")],
    ]),
    waitingFor(dispute),
    fulfilment.steps.length || fulfilment.next_steps?.length
      ? h(
          "ol",
          { class: "steps", id: "fulfilment-steps", "aria-label": "Fulfilment steps" },
          fulfilment.steps.map((step, index) => stepItem(dispute, step, index)),
          (fulfilment.next_steps || []).map((step, index) => planned(dispute, step, done + index)),
        )
      : h("p", { class: "muted" }, "No step was needed."),
  );
}
