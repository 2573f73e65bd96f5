// The review, senior and fulfilment queues: oldest due first, status filter on the API, reason filter here,
// cursor paging. The fulfilment queue lists remedies being carried out: the step, who must act, and by when.

import { api } from "./api.js";
import { h, replace, select } from "./dom.js";
import { dateTime, label, money, shortId } from "./format.js";
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
const STATUSES = [
  ["", "Any status"],
  ["under_review", "Under review"],
  ["appealed", "Appealed"],
];
const REASONS = [
  ["", "Any reason"],
  ...[
    "quality_defect",
    "not_as_described",
    "not_received",
    "missing_items",
    "damaged_in_transit",
    "counterfeit",
    "no_reason_return",
    "other",
  ].map((reason) => [reason, label(reason)]),
];
const REVIEW_COLUMNS = ["Due", "Case", "Status", "Reason", "Requested", "Storefront", "Claimed by"];

// What each queue shows. The fulfilment queue holds one status (fulfilling), so it has no status filter.
const VIEWS = {
  review: { title: "Review queue", tab: "Review", columns: REVIEW_COLUMNS, row: reviewRow, statuses: true },
  senior: { title: "Senior queue", tab: "Senior", columns: REVIEW_COLUMNS, row: reviewRow, statuses: true },
  fulfilment: {
    title: "Fulfilment queue",
    tab: "Fulfilment",
    columns: ["Due", "Case", "Step", "Who acts", "Owed", "Storefront"],
    row: fulfilmentRow,
    statuses: false,
  },
};
export const QUEUES = Object.keys(VIEWS);

// Kept while the tab lives, so going to a case and back keeps the reviewer's filters.
const filters = { status: "", reason: "" };

export async function renderQueue(main, queue, context) {
  const state = { queue, items: [], cursor: null, loading: false };
  const summary = h("p", { class: "queue-summary", role: "status", "aria-live": "polite" });
  const body = h("div", { class: "queue-body" }, loading());
  const more = h("button", { type: "button", class: "button", hidden: true }, "Load more");
  const view = { main, state, summary, body, more, context, shows: VIEWS[queue] };
  more.addEventListener("click", () => loadPage(view));

  replace(
    main,
    h(
      "div",
      { class: "queue" },
      h("div", { class: "queue-head" }, heading(view.shows.title), tabs(queue)),
      filterBar(view),
      summary,
      body,
      h("div", { class: "load-more" }, more),
    ),
  );
  focusHeading(main);
  await loadPage(view);
}

function tabs(queue) {
  const tab = (name, text) =>
    h("a", { href: `#/queue/${name}`, class: "tab", "aria-current": queue === name ? "page" : null }, text);
  return h(
    "nav",
    { class: "tabs", "aria-label": "Queues" },
    QUEUES.map((name) => tab(name, VIEWS[name].tab)),
  );
}

function filterBar(view) {
  const status = select({ id: "filter-status", name: "status" }, STATUSES, filters.status);
  const reason = select({ id: "filter-reason", name: "reason" }, REASONS, filters.reason);
  status.addEventListener("change", () => {
    filters.status = status.value;
    restart(view);
  });
  reason.addEventListener("change", () => {
    filters.reason = reason.value;
    renderRows(view);
  });
  return h(
    "form",
    { class: "filters", "aria-label": "Filter the queue", onsubmit: (event) => event.preventDefault() },
    view.shows.statuses ? h("div", { class: "filter" }, h("label", { for: "filter-status" }, "Status"), status) : null,
    h("div", { class: "filter" }, h("label", { for: "filter-reason" }, "Reason"), reason),
    h("button", { type: "button", class: "button button-quiet", onclick: () => restart(view) }, "Refresh"),
  );
}

function restart(view) {
  view.state.items = [];
  view.state.cursor = null;
  replace(view.body, loading());
  loadPage(view);
}

async function loadPage(view) {
  const { state, context } = view;
  if (state.loading) return;
  state.loading = true;
  view.more.disabled = true;
  try {
    const page = await api.queue({
      queue: state.queue,
      status: view.shows.statuses ? filters.status : "",
      limit: PAGE_SIZE,
      cursor: state.cursor,
    });
    if (!context.isCurrent()) return;
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
  }
}

function renderRows(view) {
  const { state } = view;
  const shown = state.items.filter((item) => !filters.reason || item.reason === filters.reason);
  view.more.hidden = !state.cursor;
  view.summary.textContent = summaryText(state, shown);
  if (!shown.length) {
    replace(view.body, h("p", { class: "panel empty" }, emptyText(view)));
    return;
  }
  const now = Date.now();
  replace(
    view.body,
    h(
      "table",
      { class: "queue-table" },
      h("caption", { class: "visually-hidden" }, `${view.state.queue} queue, oldest due first`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          view.shows.columns.map((column) => h("th", { scope: "col" }, column)),
        ),
      ),
      h(
        "tbody",
        {},
        shown.map((item) => view.shows.row(item, now)),
      ),
    ),
  );
}

function summaryText(state, shown) {
  const loaded = state.items.length;
  const more = state.cursor ? " (more to load)" : "";
  if (filters.reason && shown.length !== loaded) {
    return `${shown.length} of ${loaded} loaded cases match${more}, oldest due first.`;
  }
  return `${loaded} case${loaded === 1 ? "" : "s"}${more}, oldest due first.`;
}

function emptyText({ state, shows }) {
  const filtered = (shows.statuses && filters.status) || filters.reason;
  if (filtered && state.cursor) return "No loaded case matches these filters. Load more to look further.";
  if (filtered) return "No case in this queue matches these filters.";
  return `Nothing is waiting in the ${state.queue} queue.`;
}

const cell = (column, ...content) => h("td", { "data-label": column }, h("div", {}, content));

const caseLink = (item) =>
  h("a", { href: `#/case/${encodeURIComponent(item.id)}`, class: "case-link", title: item.id }, shortId(item.id));

function reviewRow(item, now) {
  const total = item.amount_paid + item.shipping_paid;
  return h(
    "tr",
    { dataset: { caseId: item.id } },
    cell(
      "Due",
      slaBadge(item.open_window, now),
      h("div", { class: "muted small" }, dateTime(item.open_window?.due_at)),
    ),
    cell(
      "Case",
      caseLink(item),
      " ",
      seniorMarker(item),
      " ",
      receiptMarker(item),
      h("div", { class: "muted small" }, label(item.type)),
    ),
    cell("Status", statusBadge(item.status)),
    cell("Reason", label(item.reason)),
    cell(
      "Requested",
      h("span", { class: "amount" }, money(item.amount_requested, item.currency)),
      h("div", { class: "muted small" }, `of ${money(total, item.currency)}`),
    ),
    cell("Storefront", item.storefront_id),
    cell("Claimed by", item.claimed_by || h("span", { class: "muted" }, "—")),
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
  const next = (fulfilment.next_steps || []).map((name) => label(name).toLowerCase());
  return h(
    "tr",
    { dataset: { caseId: item.id, step } },
    cell("Due", stepBadge(waiting, now), h("div", { class: "muted small" }, dateTime(waiting?.due_at))),
    cell("Case", caseLink(item), h("div", { class: "muted small" }, label(fulfilment.remedy || item.type))),
    cell(
      "Step",
      h("strong", {}, label(step)),
      next.length ? h("div", { class: "muted small" }, `then ${next.join(", ")}`) : null,
    ),
    cell("Who acts", actor(item, fulfilment.party)),
    cell(
      "Owed",
      fulfilment.owed
        ? h("span", { class: "amount" }, money(fulfilment.owed, fulfilment.currency || item.currency))
        : h("span", { class: "muted" }, "Nothing to refund"),
    ),
    cell("Storefront", item.storefront_id),
  );
}
