// Carrying out the final decision: the remedy, what is owed, and each step with who acts, when, and what happened.

import { fields, h } from "./dom.js";
import { dateTime, inline, label, money } from "./format.js";
import { t } from "./i18n.js";
import { badge, section, stepBadge } from "./ui.js";

// The tone of each way fulfilment ends; the words are the catalogs' `fulfilment.outcome.*`.
const OUTCOME_TONES = {
  completed: "success",
  lapsed: "neutral",
  platform_refunded: "warning",
  not_required: "neutral",
};
const CONDITIONS = ["received_ok", "not_received", "damaged", "different_item", "missing_parts"];

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
  return who ? t("fulfilment.actor", { party: label(party), who }) : label(party);
}

/** A step's details in plain words, one sentence each. */
export function stepDetails(step, currency) {
  const details = step.details || {};
  const said = [];
  if (details.carrier || details.tracking_number) {
    said.push(
      t("fulfilment.shipped", {
        carrier: details.carrier || t("fulfilment.aCarrier"),
        tracking: details.tracking_number || t("fulfilment.notGiven"),
      }),
    );
  }
  if (details.deemed) {
    said.push(t("fulfilment.deemed"));
  } else if (details.condition) {
    said.push(
      CONDITIONS.includes(details.condition)
        ? t(`fulfilment.condition.${details.condition}`)
        : t("fulfilment.conditionOther", { condition: inline(details.condition) }),
    );
  }
  if (details.note) said.push(t("fulfilment.note", { note: details.note }));
  if (details.evidence_ids?.length) {
    const count = details.evidence_ids.length;
    said.push(t(count === 1 ? "fulfilment.evidenceOne" : "fulfilment.evidenceMany", { count }));
  }
  if (details.paid_by === "platform") {
    said.push(t("fulfilment.platformPaid"));
  } else if (details.amount !== undefined) {
    const amount = money(details.amount, details.currency || currency);
    said.push(
      details.reference
        ? t("fulfilment.refundedRef", { amount, reference: details.reference })
        : t("fulfilment.refunded", { amount }),
    );
  }
  if (details.becomes === "refund") said.push(t("fulfilment.becomesRefund"));
  else if (details.overdue && step.step === "return_shipment") {
    said.push(t("fulfilment.lapsedStep"));
  }
  return said;
}

function doneBy(by) {
  return by === "system" ? t("fulfilment.bySystem") : by;
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
      current ? badge(t("fulfilment.now"), "info") : step.done_at ? badge(t("fulfilment.done"), "quiet") : null,
    ),
    fields([
      [t("field.whoActs"), stepActor(dispute, step.party)],
      [t("field.opened"), dateTime(step.opened_at)],
      [t("field.due"), current ? h("span", {}, dateTime(step.due_at), " ", stepBadge(waiting)) : dateTime(step.due_at)],
      [
        t("field.done"),
        step.done_at ? t("fulfilment.doneBy", { at: dateTime(step.done_at), by: doneBy(step.by) }) : null,
      ],
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
    h("h3", {}, `${index + 1}. ${label(step)}`, " ", badge(t("fulfilment.next"), "quiet")),
    who ? h("p", { class: "muted small" }, t("fulfilment.actsNext", { who: stepActor(dispute, who) })) : null,
  );
}

function waitingFor(dispute) {
  const fulfilment = dispute.fulfilment;
  const review = fulfilment.receipt_review;
  if (review) {
    return h(
      "p",
      { class: "notice", id: "receipt-review-notice" },
      h("strong", {}, t("fulfilment.disputedReceipt")),
      t("fulfilment.reported", {
        who: review.reported_by,
        step: inline(review.step),
        condition: inline(review.condition),
        at: dateTime(review.reported_at),
      }),
    );
  }
  if (fulfilment.outcome || !fulfilment.step) return null;
  return h(
    "p",
    { class: "current-step" },
    h("strong", {}, t("fulfilment.waitingFor")),
    t("fulfilment.waitingStep", {
      step: inline(fulfilment.step),
      party: inline(fulfilment.party),
      due: dateTime(fulfilment.due_at),
    }),
    " ",
    stepBadge(dispute.open_window?.kind === fulfilment.step ? dispute.open_window : fulfilment),
  );
}

export function fulfilmentSection(dispute) {
  const fulfilment = dispute.fulfilment;
  if (!fulfilment) return null;
  const tone = OUTCOME_TONES[fulfilment.outcome] || "neutral";
  const outcome =
    fulfilment.outcome in OUTCOME_TONES ? t(`fulfilment.outcome.${fulfilment.outcome}`) : label(fulfilment.outcome);
  const owed = fulfilment.owed
    ? h("strong", { class: "amount" }, money(fulfilment.owed, fulfilment.currency))
    : h("span", { class: "muted" }, t("fulfilment.goodsOnly"));
  const done = fulfilment.steps.length;
  return section(
    "fulfilment",
    t("fulfilment.title"),
    fields([
      [t("field.remedy"), label(fulfilment.remedy)],
      [t("field.owedToBuyer"), owed],
      [
        t("field.outcome"),
        fulfilment.outcome ? badge(outcome, tone) : h("span", { class: "muted" }, t("fulfilment.notFinished")),
      ],
    ]),
    waitingFor(dispute),
    fulfilment.steps.length || fulfilment.next_steps?.length
      ? h(
          "ol",
          { class: "steps", id: "fulfilment-steps", "aria-label": t("fulfilment.steps") },
          fulfilment.steps.map((step, index) => stepItem(dispute, step, index)),
          (fulfilment.next_steps || []).map((step, index) => planned(dispute, step, done + index)),
        )
      : h("p", { class: "muted" }, t("fulfilment.noStep")),
  );
}
