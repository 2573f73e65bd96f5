// One case: who asked for what, both sides' evidence, the recommendation, deadlines, the seller's record,
// how the remedy is being carried out, the timeline, and the reviewer's actions.

import { actionsPanel } from "./actions.js";
import { api } from "./api.js";
import { fields, h, replace } from "./dom.js";
import { dateTime, label, money, relative } from "./format.js";
import { partiesSection } from "./evidence.js";
import { fulfilmentSection } from "./fulfilment.js";
import { loadMessages, messagesSection } from "./messages.js";
import { ledgerSection, penaltiesSection } from "./seller.js";
import {
  badge,
  flash,
  focusHeading,
  heading,
  loading,
  problem,
  receiptMarker,
  section,
  seniorMarker,
  statusBadge,
  windowBadge,
} from "./ui.js";

export async function renderCase(main, id, context) {
  replace(main, backLink("review"), loading("Loading the case…"));
  await show(main, id, context);
}

async function show(main, id, context, after) {
  let data;
  try {
    data = await load(id);
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    if (context.isCurrent()) {
      replace(
        main,
        backLink("review"),
        problem(error, () => show(main, id, context)),
      );
    }
    return;
  }
  if (!context.isCurrent()) return;
  const reload = async (message, tone) => {
    await show(main, id, context, { message, tone });
  };
  draw(main, data, context, reload);
  focusHeading(main); // the redrawn page starts at the top, under the message that says what happened
  if (after) flash(after.message, after.tone);
}

async function load(id) {
  const [dispute, events, evidence] = await Promise.all([api.dispute(id), api.events(id), api.evidence(id)]);
  // The seller's record is advisory: a failure to read it must not hide the case.
  const advisory = (request) => request.catch((error) => ({ error }));
  const [penalties, ledger, messages] = await Promise.all([
    advisory(api.penalties(dispute.seller_id, dispute.storefront_id)),
    advisory(api.ledger(dispute.seller_id, dispute.storefront_id)),
    advisory(loadMessages(id)),
  ]);
  return { dispute, events: events.items, evidence: evidence.items, penalties, ledger, messages };
}

function backLink(queue) {
  return h("p", { class: "back" }, h("a", { href: `#/queue/${queue}` }, "← Back to the queue"));
}

/** The queue the case sits in, for the way back. */
function queueOf(dispute) {
  if (dispute.status === "fulfilling") return "fulfilment";
  return dispute.appeal || dispute.senior_queue_since ? "senior" : "review";
}

function draw(main, { dispute, events, evidence, penalties, ledger, messages }, context, reload) {
  const queue = queueOf(dispute);
  replace(
    main,
    h(
      "div",
      { class: "case", dataset: { caseId: dispute.id, version: dispute.version } },
      backLink(queue),
      caseHeader(dispute),
      summary(dispute),
      h(
        "div",
        { class: "case-grid" },
        h(
          "div",
          { class: "case-main" },
          fulfilmentSection(dispute),
          dispute.ruling ? rulingSection("Ruling", dispute.ruling, dispute.currency) : null,
          recommendationSection(dispute),
          partiesSection(dispute, evidence),
          messagesSection(dispute, messages, evidence, context, reload),
        ),
        h(
          "aside",
          { class: "case-side", "aria-label": "Decision, deadlines and the seller's record" },
          actionsPanel(dispute, evidence, context, reload),
          deadlinesSection(dispute),
          penaltiesSection(dispute, penalties),
          ledgerSection(dispute, ledger),
        ),
      ),
      dispute.superseded_ruling
        ? rulingSection("Superseded ruling", dispute.superseded_ruling, dispute.currency)
        : null,
      timelineSection(events),
    ),
  );
}

function caseHeader(dispute) {
  return h(
    "div",
    { class: "case-head" },
    heading(`Case ${dispute.id}`),
    h(
      "div",
      { class: "badges", id: "case-badges" },
      statusBadge(dispute.status),
      dispute.resolution ? badge(label(dispute.resolution), "neutral") : null,
      dispute.open_window?.kind === "review" || dispute.status === "fulfilling"
        ? windowBadge(dispute.open_window)
        : null,
      seniorMarker(dispute),
      receiptMarker(dispute),
      dispute.workflow_error ? badge("Workflow error", "danger", dispute.workflow_error) : null,
    ),
  );
}

function summary(dispute) {
  const total = dispute.amount_paid + dispute.shipping_paid;
  const currency = dispute.currency;
  return h(
    "section",
    { class: "panel summary", "aria-label": "Case summary" },
    fields(
      [
        ["Requested", h("strong", { class: "amount" }, money(dispute.amount_requested, currency))],
        [
          "Order total",
          `${money(total, currency)} (item ${money(dispute.amount_paid, currency)} + shipping ${money(dispute.shipping_paid, currency)})`,
        ],
        ["Reason", label(dispute.reason)],
        ["Asks for", label(dispute.type)],
        ["Storefront", dispute.storefront_id],
        ["Order", dispute.order_id],
        ["Delivered", dateTime(dispute.delivered_at)],
        ["Escalated", dateTime(dispute.created_at)],
        ["Claimed by", dispute.claimed_by],
        ["Version", String(dispute.version)],
      ],
      "fields fields-grid",
    ),
    dispute.defence ? defence(dispute.defence) : null,
    dispute.offers?.length ? offers(dispute) : null,
  );
}

function defence(stated) {
  return h(
    "div",
    { class: "offers defence" },
    h("h2", { class: "small-heading" }, "Seller's defence"),
    h("p", {}, h("strong", {}, stated.grounds.map(label).join(" · ")), ` · ${dateTime(stated.submitted_at)}`),
    h("p", {}, stated.statement),
  );
}

function offers(dispute) {
  return h(
    "div",
    { class: "offers" },
    h("h2", { class: "small-heading" }, "Seller's offers"),
    h(
      "ul",
      {},
      dispute.offers.map((offer) =>
        h(
          "li",
          {},
          `${money(offer.amount, offer.currency)} · ${label(offer.status)} · ${dateTime(offer.made_at)}`,
          offer.note ? ` — ${offer.note}` : "",
        ),
      ),
    ),
  );
}

function terms(ruling, currency) {
  return [
    fields([
      ["Outcome", h("strong", {}, label(ruling.outcome))],
      ["Liable", label(ruling.liability)],
    ]),
    ruling.compensation.length
      ? h(
          "table",
          { class: "lines-table" },
          h("caption", {}, "Compensation"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Payer", "Payee", "Kind", "Amount"].map((text) => h("th", { scope: "col" }, text)),
            ),
          ),
          h(
            "tbody",
            {},
            ruling.compensation.map((line) =>
              h(
                "tr",
                {},
                h("td", {}, label(line.payer)),
                h("td", {}, label(line.payee)),
                h("td", {}, label(line.kind)),
                h("td", { class: "amount" }, money(line.amount, line.currency || currency)),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No compensation."),
    ruling.penalties.length
      ? h(
          "p",
          {},
          "Penalties: ",
          ruling.penalties
            .map((p) => `${label(p.party)} ${label(p.kind).toLowerCase()}${p.value ? ` ${p.value}` : ""}`)
            .join(", "),
        )
      : h("p", { class: "muted" }, "No penalties."),
  ];
}

function rulesFired(hits) {
  return h(
    "ol",
    { class: "rules" },
    hits.map((hit) => h("li", {}, h("code", {}, hit.rule), h("span", {}, hit.reason))),
  );
}

function recommendationSection(dispute) {
  const recommendation = dispute.recommendation;
  if (!recommendation) {
    return section(
      "Recommendation",
      h("p", { class: "muted" }, "The rules have not run yet: they run when both parties' windows have ended."),
    );
  }
  const decision =
    recommendation.decision === "auto" ? badge("Decided automatically", "success") : badge("Needs a reviewer", "info");
  return section(
    "Recommendation",
    h("p", {}, decision, " ", h("span", { class: "muted small" }, `policy ${recommendation.policy_version}`)),
    terms(recommendation.ruling, dispute.currency),
    h("h3", {}, "Rules that fired"),
    rulesFired(recommendation.rules_fired),
  );
}

function rulingSection(title, ruling, currency) {
  return section(
    title,
    h(
      "p",
      {},
      ruling.final ? badge("Final", "success") : null,
      " ",
      `Decided by ${ruling.decided_by}, ${dateTime(ruling.decided_at)}`,
    ),
    terms(ruling, currency),
    ruling.override_reason ? h("p", {}, h("strong", {}, "Override reason: "), ruling.override_reason) : null,
    ruling.notes ? h("p", {}, h("strong", {}, "Notes: "), ruling.notes) : null,
    ruling.rationale.length ? [h("h3", {}, "Rationale"), rulesFired(ruling.rationale)] : null,
  );
}

function deadlinesSection(dispute) {
  const waiting = dispute.open_window;
  const open = waiting
    ? fields([
        ["Waiting for", `${label(waiting.kind)}${waiting.parties.length ? ` (${waiting.parties.join(" and ")})` : ""}`],
        ["Opened", dateTime(waiting.opened_at)],
        ["Due", h("span", {}, dateTime(waiting.due_at), " ", windowBadge(waiting))],
      ])
    : h("p", { class: "muted" }, "No window is open.");
  const all = Object.entries(dispute.deadlines || {});
  return section(
    "Deadlines",
    open,
    all.length ? h("h3", {}, "All deadlines") : null,
    all.length ? fields(all.map(([name, at]) => [label(name), `${dateTime(at)} (${relative(at)})`])) : null,
    dispute.missed_deadlines?.length
      ? h("p", {}, badge("Missed", "warning"), " ", dispute.missed_deadlines.map(label).join(", "))
      : null,
    dispute.senior_queue_since
      ? h("p", {}, `In the senior queue since ${dateTime(dispute.senior_queue_since)}.`)
      : null,
  );
}

function timelineSection(events) {
  return section(
    "Timeline",
    h(
      "ol",
      { class: "timeline" },
      events.map((event) =>
        h(
          "li",
          {},
          h("time", { datetime: event.at }, dateTime(event.at)),
          h(
            "div",
            {},
            h("strong", {}, label(event.action)),
            " ",
            h("span", { class: "muted" }, `by ${event.actor} (${label(event.actor_role)})`),
            event.to_status && event.to_status !== event.from_status
              ? h("span", { class: "transition" }, ` ${label(event.from_status) || "—"} → ${label(event.to_status)}`)
              : null,
            event.reason ? h("p", { class: "event-reason" }, event.reason) : null,
          ),
        ),
      ),
    ),
  );
}
