// A table of cases, shared by the queues (queue.js) and the search (search.js): rows of cells labelled for
// the phone layout, the case's link, the amount asked of the order's total.
import { h } from "./dom.js";
import { money, shortId } from "./format.js";
import { t } from "./i18n.js";

/** A table of cases, one row per case, each cell labelled for the phone layout. */
export function casesTable(columns, items, row, caption) {
  return h(
    "table",
    { class: "queue-table" },
    h("caption", { class: "visually-hidden" }, t(`queue.${caption}.caption`)),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((column) => h("th", { scope: "col" }, t(`column.${column}`))),
      ),
    ),
    h("tbody", {}, items.map(row)),
  );
}

export const cell = (column, ...content) =>
  h("td", { "data-label": t(`column.${column}`) }, h("div", {}, content));

export const caseLink = (item) =>
  h("a", { href: `#/case/${encodeURIComponent(item.id)}`, class: "case-link", title: item.id }, shortId(item.id));

export function requested(item) {
  const total = item.amount_paid + item.shipping_paid;
  return [
    h("span", { class: "amount" }, money(item.amount_requested, item.currency)),
    h("div", { class: "muted small" }, t("queue.ofTotal", { total: money(total, item.currency) })),
  ];
}
