// The review, senior and fulfilment queues (oldest due first) and the closed cases (most recently closed
// first): every filter goes to the API, which pages on its indexes with cursors bound to the filters.
// The fulfilment queue lists remedies being carried out: the step, who must act, and by when.

import { api } from "./api.js";
import { h, replace, select } from "./dom.js";
import { dateTime, inline, label, money } from "./format.js";
import { t } from "./i18n.js";
import { remember } from "./navigation.js";
import { caseLink, casesTable, cell, requested } from "./cases-table.js";
import { searchBox } from "./search.js";
import {
  focusHeading,
  heading,
  loading,
  problem,
  receiptMarker,
  seniorMarker,
  slaBadge,
  statusBadge,
  stepBadge,
} from "./ui.js";

const PAGE_SIZE = 25;
export const REASONS = [
  "quality_defect",
  "not_as_described",
  "not_received",
  "missing_items",
  "damaged_in_transit",
  "counterfeit",
  "no_reason_return",
  "other",
];
const OUTCOMES = ["refund_full", "refund_partial", "return_and_refund", "exchange", "repair", "claim_denied"];
const DECIDERS = ["rules", "reviewer", "parties", "none"];
const any = (key) => ["", t(key)];
const REVIEW_COLUMNS = ["due", "case", "status", "reason", "requested", "storefront", "claimedBy"];

// What each listing shows and which filters it offers; every filter is a query parameter of its API call.
const VIEWS = {
  review: { columns: REVIEW_COLUMNS, row: reviewRow, filters: ["status", "reason"] },
  senior: { columns: REVIEW_COLUMNS, row: reviewRow, filters: ["status", "reason"] },
  fulfilment: {
    columns: ["due", "case", "step", "whoActs", "owed", "storefront"],
    row: fulfilmentRow,
    filters: ["reason"],
  },
  closed: {
    columns: ["closed", "case", "reason", "outcome", "decidedBy", "requested", "storefront"],
    row: closedRow,
    filters: ["reason", "outcome", "decided_by", "closed_from", "closed_to"],
  },
};
export const QUEUES = Object.keys(VIEWS);

// Kept while the tab lives, so going to a case and back keeps the reviewer's filters.
const filters = { status: "", reason: "", outcome: "", decided_by: "", closed_from: "", closed_to: "" };

export async function renderQueue(main, queue, context) {
  const state = { queue, items: [], cursor: null, loading: false };
  const summary = h("p", { class: "queue-summary", role: "status", "aria-live": "polite" });
  const body = h("div", { class: "queue-body" }, loading());
  const more = h("button", { type: "button", class: "button", hidden: true }, t("queue.loadMore"));
  const view = { main, state, summary, body, more, context, shows: VIEWS[queue] };
  more.addEventListener("click", () => loadPage(view));

  replace(
    main,
    h(
      "div",
      { class: "queue" },
      h("div", { class: "queue-head" }, heading(t(`queue.${queue}.title`)), searchBox()),
      tabs(queue),
      filterBar(view),
      summary,
      body,
      h("div", { class: "load-more" }, more),
    ),
  );
  focusHeading(main);
  await loadPage(view);
}

export function tabs(current) {
  const tab = (name, text, href) =>
    h("a", { href, class: "tab", "aria-current": current === name ? "page" : null }, text);
  return h(
    "nav",
    { class: "tabs", "aria-label": t("queue.tabs") },
    QUEUES.map((name) => tab(name, t(`queue.${name}.tab`), `#/queue/${name}`)),
  );
}

function filterControl(view, name) {
  const id = `filter-${name.replace("_", "-")}`;
  const restartOnChange = (control) => {
    control.addEventListener("change", () => {
      filters[name] = control.value;
      restart(view);
    });
    return control;
  };
  const choices = {
    status: () => [any("queue.anyStatus"), ["under_review", label("under_review")], ["appealed", label("appealed")]],
    reason: () => [any("queue.anyReason"), ...REASONS.map((value) => [value, label(value)])],
    outcome: () => [any("queue.anyOutcome"), ...OUTCOMES.map((value) => [value, label(value)])],
    decided_by: () => [any("queue.anyDecider"), ...DECIDERS.map((value) => [value, t(`decider.${value}`)])],
  };
  const control = choices[name]
    ? select({ id, name }, choices[name](), filters[name])
    : h("input", { id, name, type: "date", value: filters[name] });
  return h("div", { class: "filter" }, h("label", { for: id }, t(`filter.${name}`)), restartOnChange(control));
}

function filterBar(view) {
  return h(
    "form",
    { class: "filters", "aria-label": t("queue.filterLabel"), onsubmit: (event) => event.preventDefault() },
    view.shows.filters.map((name) => filterControl(view, name)),
    h("button", { type: "button", class: "button button-quiet", onclick: () => restart(view) }, t("queue.refresh")),
  );
}

function restart(view) {
  view.state.items = [];
  view.state.cursor = null;
  replace(view.body, loading());
  loadPage(view);
}

/** The page's filters as the API names them: a date range is whole days of the reviewer's own calendar (the
 * dates the list shows), start and end included, sent as the UTC instants of those local midnights. */
function queryOf(view) {
  const wanted = Object.fromEntries(view.shows.filters.map((name) => [name, filters[name]]));
  if (wanted.closed_from) wanted.closed_from = new Date(`${wanted.closed_from}T00:00:00`).toISOString();
  if (wanted.closed_to) wanted.closed_to = new Date(`${wanted.closed_to}T23:59:59.999`).toISOString();
  return { ...wanted, limit: PAGE_SIZE, cursor: view.state.cursor };
}

async function loadPage(view) {
  const { state, context } = view;
  if (state.loading) {
    state.stale = true; // a filter changed while a page was loading: load again, with it, once this one ends
    return;
  }
  state.loading = true;
  state.stale = false;
  view.more.disabled = true;
  try {
    const params = queryOf(view);
    const page =
      state.queue === "closed" ? await api.closed(params) : await api.queue({ queue: state.queue, ...params });
    if (!context.isCurrent() || state.stale) return;
    state.items.push(...page.items);
    state.cursor = page.next_cursor;
    renderRows(view);
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    replace(
      view.body,
      problem(error, () => restart(view)),
    );
  } finally {
    state.loading = false;
    view.more.disabled = false;
    if (state.stale && context.isCurrent()) restart(view);
  }
}

function renderRows(view) {
  const { state } = view;
  view.more.hidden = !state.cursor;
  view.summary.textContent = summaryText(state);
  remember(state.items.map((item) => item.id));
  if (!state.items.length) {
    replace(view.body, h("p", { class: "panel empty" }, emptyText(view)));
    return;
  }
  const now = Date.now();
  replace(view.body, casesTable(view.shows.columns, state.items, (item) => view.shows.row(item, now), state.queue));
}

function summaryText(state) {
  const loaded = state.items.length;
  const key = state.queue === "closed" ? "queue.summaryClosed" : "queue.summary";
  return t(state.cursor ? `${key}More` : key, { count: loaded });
}

function emptyText({ state, shows }) {
  const filtered = shows.filters.some((name) => filters[name]);
  if (filtered && state.cursor) return t("queue.emptyFilteredMore");
  if (filtered) return t("queue.emptyFiltered");
  return t(`queue.${state.queue}.empty`);
}

function reviewRow(item, now) {
  return h(
    "tr",
    { dataset: { caseId: item.id } },
    cell(
      "due",
      slaBadge(item.open_window, now),
      h("div", { class: "muted small" }, dateTime(item.open_window?.due_at)),
    ),
    cell(
      "case",
      caseLink(item),
      " ",
      seniorMarker(item),
      " ",
      receiptMarker(item),
      h("div", { class: "muted small" }, label(item.type)),
    ),
    cell("status", statusBadge(item.status)),
    cell("reason", label(item.reason)),
    cell("requested", requested(item)),
    cell("storefront", item.storefront_id),
    cell("claimedBy", item.claimed_by || h("span", { class: "muted" }, "—")),
  );
}

/** Who must act in a step: the party, and which one of this case. */
function actor(item, party) {
  const who = { buyer: item.buyer_id, seller: item.seller_id, storefront: item.storefront_id }[party];
  return [label(party), who ? h("div", { class: "muted small" }, who) : null];
}

function fulfilmentRow(item, now) {
  const fulfilment = item.fulfilment || {};
  const waiting = item.open_window;
  const step = fulfilment.step || waiting?.kind;
  const next = (fulfilment.next_steps || []).map((name) => inline(name));
  return h(
    "tr",
    { dataset: { caseId: item.id, step } },
    cell("due", stepBadge(waiting, now), h("div", { class: "muted small" }, dateTime(waiting?.due_at))),
    cell("case", caseLink(item), h("div", { class: "muted small" }, label(fulfilment.remedy || item.type))),
    cell(
      "step",
      h("strong", {}, label(step)),
      next.length
        ? h("div", { class: "muted small" }, t("queue.then", { steps: next.join(t("common.listSeparator")) }))
        : null,
    ),
    cell("whoActs", actor(item, fulfilment.party)),
    cell(
      "owed",
      fulfilment.owed
        ? h("span", { class: "amount" }, money(fulfilment.owed, fulfilment.currency || item.currency))
        : h("span", { class: "muted" }, t("queue.nothingToRefund")),
    ),
    cell("storefront", item.storefront_id),
  );
}

/** Who decided a closed case, in words: the rules, a reviewer (named), the parties, or nobody. */
export function decider(item) {
  const by = item.ruling?.decided_by;
  if (!item.ruling) return t("decider.none");
  if (by === "rules") return t("decider.rules");
  if (["conceded", "settled"].includes(item.resolution)) return t("decider.parties");
  return [t("decider.reviewer"), h("div", { class: "muted small" }, by)];
}

function closedRow(item) {
  return h(
    "tr",
    { dataset: { caseId: item.id } },
    cell("closed", dateTime(item.updated_at)),
    cell("case", caseLink(item), h("div", { class: "muted small" }, label(item.type))),
    cell("reason", label(item.reason)),
    cell(
      "outcome",
      item.ruling ? h("strong", {}, label(item.ruling.outcome)) : null,
      h("div", { class: "muted small" }, label(item.resolution)),
    ),
    cell("decidedBy", decider(item)),
    cell("requested", requested(item)),
    cell("storefront", item.storefront_id),
  );
}
