// Finding a case: by case id (read directly), or by order, buyer or seller id across storefronts
// (GET /v1/disputes/search). Routes: #/search/<field>/<value>.

import { api } from "./api.js";
import { h, replace, select } from "./dom.js";
import { dateTime, label } from "./format.js";
import { t } from "./i18n.js";
import { remember } from "./navigation.js";
import { caseLink, casesTable, cell, requested } from "./cases-table.js";
import { focusHeading, heading, loading, problem, statusBadge } from "./ui.js";

export const FIELDS = ["order_id", "case_id", "buyer_id", "seller_id"];
const COLUMNS = ["case", "status", "reason", "requested", "order", "buyer", "seller", "storefront", "escalated"];

/** The search form every listing carries in its head; it leads to #/search/<field>/<value>. */
export function searchBox(field = "order_id", value = "") {
  const by = select(
    { id: "search-field", name: "field", "aria-label": t("search.by") },
    FIELDS.map((name) => [name, t(`search.field.${name}`)]),
    field,
  );
  const input = h("input", {
    id: "search-input",
    name: "q",
    type: "search",
    value,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: t("search.placeholder"),
    "aria-label": t("search.label"),
  });
  const go = (event) => {
    event.preventDefault();
    const wanted = input.value.trim();
    if (wanted) location.hash = `#/search/${by.value}/${encodeURIComponent(wanted)}`;
  };
  return h(
    "form",
    { class: "search", role: "search", onsubmit: go },
    by,
    input,
    h("button", { type: "submit", class: "button" }, t("search.button")),
  );
}

async function find(field, value) {
  if (field === "case_id") {
    try {
      return { items: [await api.dispute(value)], next_cursor: null };
    } catch (error) {
      if (error.status === 404) return { items: [], next_cursor: null };
      throw error;
    }
  }
  return api.search({ [field]: value, limit: 50 });
}

function row(item) {
  return h(
    "tr",
    { dataset: { caseId: item.id } },
    cell("case", caseLink(item), h("div", { class: "muted small" }, label(item.type))),
    cell("status", statusBadge(item.status)),
    cell("reason", label(item.reason)),
    cell("requested", requested(item)),
    cell("order", item.order_id),
    cell("buyer", item.buyer_id),
    cell("seller", item.seller_id),
    cell("storefront", item.storefront_id),
    cell("escalated", dateTime(item.created_at)),
  );
}

export async function renderSearch(main, field, value, context) {
  const chosen = FIELDS.includes(field) ? field : "order_id";
  const body = h("div", { class: "queue-body" }, loading());
  const summary = h("p", { class: "queue-summary", role: "status", "aria-live": "polite" });
  replace(
    main,
    h(
      "div",
      { class: "queue" },
      h("div", { class: "queue-head" }, heading(t("search.title")), searchBox(chosen, value)),
      summary,
      body,
    ),
  );
  focusHeading(main);
  try {
    const page = await find(chosen, value);
    if (!context.isCurrent()) return;
    remember(page.items.map((item) => item.id));
    const what = { field: t(`search.field.${chosen}`), value };
    summary.textContent = t(page.next_cursor ? "search.summaryMore" : "search.summary", {
      count: page.items.length,
      ...what,
    });
    replace(
      body,
      page.items.length
        ? casesTable(COLUMNS, page.items, row, "search")
        : h("p", { class: "panel empty" }, t("search.none", what)),
    );
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    replace(body, problem(error, () => renderSearch(main, chosen, value, context)));
  }
}
