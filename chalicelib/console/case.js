// One case: who asked for what, both sides' evidence, the recommendation, deadlines, the seller's record,
// how the remedy is being carried out, the timeline, and the reviewer's actions.

import { actionsPanel } from "./actions.js";
import { api } from "./api.js";
import { fields, h, replace } from "./dom.js";
import { dateTime, inline, label, money, relative } from "./format.js";
import { partiesSection } from "./evidence.js";
import { has, locale, t } from "./i18n.js";
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
  replace(main, backLink("review"), loading(t("case.loading")));
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
  return h("p", { class: "back" }, h("a", { href: `#/queue/${queue}` }, t("case.back")));
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
          dispute.ruling ? rulingSection("ruling", t("ruling.title"), dispute.ruling, dispute.currency) : null,
          recommendationSection(dispute),
          partiesSection(dispute, evidence),
          messagesSection(dispute, messages, evidence, context, reload),
        ),
        h(
          "aside",
          { class: "case-side", "aria-label": t("case.sideLabel") },
          actionsPanel(dispute, evidence, context, reload),
          deadlinesSection(dispute),
          penaltiesSection(dispute, penalties),
          ledgerSection(dispute, ledger),
        ),
      ),
      dispute.superseded_ruling
        ? rulingSection("superseded-ruling", t("ruling.superseded"), dispute.superseded_ruling, dispute.currency)
        : null,
      timelineSection(events),
    ),
  );
}

function caseHeader(dispute) {
  return h(
    "div",
    { class: "case-head" },
    heading(t("case.title", { id: dispute.id })),
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
      dispute.workflow_error ? badge(t("case.workflowError"), "danger", dispute.workflow_error) : null,
    ),
  );
}

function summary(dispute) {
  const total = dispute.amount_paid + dispute.shipping_paid;
  const currency = dispute.currency;
  return h(
    "section",
    { class: "panel summary", "aria-label": t("case.summary") },
    fields(
      [
        [t("field.requested"), h("strong", { class: "amount" }, money(dispute.amount_requested, currency))],
        [
          t("field.orderTotal"),
          t("case.orderTotal", {
            total: money(total, currency),
            item: money(dispute.amount_paid, currency),
            shipping: money(dispute.shipping_paid, currency),
          }),
        ],
        [t("field.reason"), label(dispute.reason)],
        [t("field.asksFor"), label(dispute.type)],
        [t("field.storefront"), dispute.storefront_id],
        [t("field.order"), dispute.order_id],
        [t("field.buyer"), dispute.buyer_id],
        [t("field.seller"), dispute.seller_id],
        [t("field.delivered"), dateTime(dispute.delivered_at)],
        [t("field.escalated"), dateTime(dispute.created_at)],
        [t("field.claimedBy"), dispute.claimed_by],
        [t("field.version"), String(dispute.version)],
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
    h("h2", { class: "small-heading" }, t("case.defence")),
    h("p", {}, h("strong", {}, stated.grounds.map(label).join(" · ")), ` · ${dateTime(stated.submitted_at)}`),
    h("p", {}, h("span", { class: "api-text" }, stated.statement)),
  );
}

function offers(dispute) {
  return h(
    "div",
    { class: "offers" },
    h("h2", { class: "small-heading" }, t("case.offers")),
    h(
      "ul",
      {},
      dispute.offers.map((offer) =>
        h(
          "li",
          {},
          `${money(offer.amount, offer.currency)} · ${label(offer.status)} · ${dateTime(offer.made_at)}`,
          offer.note ? [" — ", h("span", { class: "api-text" }, offer.note)] : "",
        ),
      ),
    ),
  );
}

function terms(ruling, currency) {
  return [
    fields([
      [t("field.outcome"), h("strong", {}, label(ruling.outcome))],
      [t("field.liable"), label(ruling.liability)],
      [t("field.postage"), ruling.return_shipping_payer ? label(ruling.return_shipping_payer) : null],
    ]),
    ruling.compensation.length
      ? h(
          "table",
          { class: "lines-table" },
          h("caption", {}, t("ruling.compensation")),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              [t("field.payer"), t("field.payee"), t("field.kind"), t("field.amount")].map((text) =>
                h("th", { scope: "col" }, text),
              ),
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
      : h("p", { class: "muted" }, t("ruling.noCompensation")),
    ruling.penalties.length
      ? h(
          "p",
          {},
          t("ruling.penalties"),
          ruling.penalties
            .map((p) =>
              t("ruling.penalty", { party: label(p.party), kind: inline(p.kind), value: p.value || "" }).trim(),
            )
            .join(t("common.listSeparator")),
        )
      : h("p", { class: "muted" }, t("ruling.noPenalties")),
  ];
}

function rulesFired(hits) {
  return h(
    "ol",
    { class: "rules" },
    hits.map((hit) =>
      h(
        "li",
        { title: locale() === "en" ? null : hit.reason },
        h("strong", {}, ruleName(hit.rule)),
        h("code", {}, hit.rule),
        h("span", { class: "api-text" }, ruleReason(hit)),
      ),
    ),
  );
}

function recommendationSection(dispute) {
  const recommendation = dispute.recommendation;
  if (!recommendation) {
    return section("recommendation", t("recommendation.title"), h("p", { class: "muted" }, t("recommendation.notYet")));
  }
  const decision =
    recommendation.decision === "auto"
      ? badge(t("recommendation.auto"), "success")
      : badge(t("recommendation.review"), "info");
  return section(
    "recommendation",
    t("recommendation.title"),
    h(
      "p",
      {},
      decision,
      " ",
      h("span", { class: "muted small" }, t("recommendation.policy", { version: recommendation.policy_version })),
    ),
    terms(recommendation.ruling, dispute.currency),
    h("h3", {}, t("recommendation.rulesFired")),
    rulesFired(recommendation.rules_fired),
  );
}

function rulingSection(name, title, ruling, currency) {
  return section(
    name,
    title,
    h(
      "p",
      {},
      ruling.final ? badge(t("ruling.final"), "success") : null,
      " ",
      t("ruling.decidedBy", { who: decidedBy(ruling.decided_by), at: dateTime(ruling.decided_at) }),
    ),
    terms(ruling, currency),
    ruling.override_reason
      ? h(
          "p",
          {},
          h("strong", {}, t("ruling.overrideReason")),
          h("span", { class: "api-text" }, ruling.override_reason),
        )
      : null,
    ruling.notes
      ? h("p", {}, h("strong", {}, t("ruling.notesLabel")), h("span", { class: "api-text" }, ruling.notes))
      : null,
    ruling.rationale.length ? [h("h3", {}, t("ruling.rationale")), rulesFired(ruling.rationale)] : null,
  );
}

function deadlinesSection(dispute) {
  const waiting = dispute.open_window;
  const open = waiting
    ? fields([
        [
          t("field.waitingFor"),
          waiting.parties.length
            ? t("deadlines.waitingParties", {
                kind: label(waiting.kind),
                parties: waiting.parties.map(label).join(t("common.and")),
              })
            : label(waiting.kind),
        ],
        [t("field.opened"), dateTime(waiting.opened_at)],
        [t("field.due"), h("span", {}, dateTime(waiting.due_at), " ", windowBadge(waiting))],
      ])
    : h("p", { class: "muted" }, t("deadlines.none"));
  const all = Object.entries(dispute.deadlines || {});
  return section(
    "deadlines",
    t("deadlines.title"),
    open,
    all.length ? h("h3", {}, t("deadlines.all")) : null,
    all.length ? fields(all.map(([name, at]) => [label(name), `${dateTime(at)} (${relative(at)})`])) : null,
    dispute.missed_deadlines?.length
      ? h(
          "p",
          {},
          badge(t("deadlines.missed"), "warning"),
          " ",
          dispute.missed_deadlines.map(missed).join(t("common.listSeparator")),
        )
      : null,
    dispute.senior_queue_since
      ? h("p", {}, t("deadlines.seniorSince", { at: dateTime(dispute.senior_queue_since) }))
      : null,
  );
}

function timelineSection(events) {
  return section(
    "timeline",
    t("timeline.title"),
    h(
      "ol",
      { class: "timeline" },
      events.map((event) =>
        h(
          "li",
          { title: event.reason && locale() !== "en" ? event.reason : null },
          h("time", { datetime: event.at }, dateTime(event.at)),
          h(
            "div",
            {},
            h("strong", {}, label(event.action)),
            " ",
            h("span", { class: "muted" }, byWhom(event)),
            event.to_status && event.to_status !== event.from_status
              ? h(
                  "span",
                  { class: "transition" },
                  ` ${label(event.from_status) || "—"} → ${label(event.to_status)}`,
                )
              : null,
            // The reason is the service's English sentence: read in English; in another language the action's
            // name says what happened and the sentence stays at hand as the line's tooltip.
            event.reason && locale() === "en" ? h("p", { class: "event-reason api-text" }, event.reason) : null,
          ),
        ),
      ),
    ),
  );
}

/** A rule's name in the reviewer's words; its id stays beside it for whoever reads the policy. */
function ruleName(rule) {
  return has(`rule.${rule}`) ? t(`rule.${rule}`) : rule;
}

/** What the rule found: the engine's own sentence in English; in another language the rule's name says it. */
function ruleReason(hit) {
  return locale() === "en" ? hit.reason : "";
}

/** "rules" decided automatically; otherwise the reviewer's (or party's) id. */
function decidedBy(who) {
  return who === "rules" ? t("ruling.byRules") : who;
}

/** "seller_response:seller" -> "Seller response (Seller)". */
function missed(entry) {
  const [kind, party] = String(entry).split(":");
  return party ? t("deadlines.missedEntry", { kind: label(kind), party: label(party) }) : label(kind);
}

/** Who acted: a person by id and role; the platform's own actors (the system, the rules) by name alone. */
function byWhom(event) {
  if (["system", "rules"].includes(event.actor)) return t("timeline.byPlatform", { actor: inline(event.actor) });
  return t("timeline.by", { actor: event.actor, role: label(event.actor_role) });
}
