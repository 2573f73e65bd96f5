// The seller's record beside the case: penalty points from final decisions, and refunds the platform made
// on the seller's behalf (its recovery ledger). Both are advisory: failing to read one never hides the case.

import { h } from "./dom.js";
import { dateTime, money } from "./format.js";
import { badge, section } from "./ui.js";

const caseLink = (dispute, caseId) =>
  h(
    "a",
    { href: `#/case/${encodeURIComponent(caseId)}`, title: caseId },
    caseId === dispute.id ? "this case" : `${caseId.slice(0, 12)}…`,
  );

export function penaltiesSection(dispute, penalties) {
  const title = "Seller's penalty history";
  if (penalties.error) {
    return section(title, h("p", { class: "muted" }, `Could not load it: ${penalties.error.message}`));
  }
  const summaryLine = h(
    "p",
    { id: "live-points" },
    h("strong", {}, `${penalties.live_points} live point${penalties.live_points === 1 ? "" : "s"}`),
    ` for ${penalties.seller_id} on ${penalties.storefront_id}; the repeat-offender guard starts at ${penalties.repeat_offender_points}.`,
  );
  if (!penalties.items.length) {
    return section(title, summaryLine, h("p", { class: "muted" }, "No penalty points recorded."));
  }
  return section(
    title,
    summaryLine,
    h(
      "table",
      { class: "lines-table", id: "penalty-history" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Case", "Points", "Recorded", ""].map((text) => h("th", { scope: "col" }, text)),
        ),
      ),
      h(
        "tbody",
        {},
        penalties.items.map((entry) =>
          h(
            "tr",
            {},
            h("td", {}, caseLink(dispute, entry.case_id)),
            h("td", { class: "amount" }, String(entry.points)),
            h("td", {}, dateTime(entry.recorded_at)),
            h("td", {}, entry.live ? badge("Live", "warning") : badge("Expired", "quiet")),
          ),
        ),
      ),
    ),
  );
}

export function ledgerSection(dispute, ledger) {
  const title = "Seller's recovery ledger";
  if (ledger.error) {
    return section(title, h("p", { class: "muted" }, `Could not load it: ${ledger.error.message}`));
  }
  const owed = ledger.outstanding.filter((total) => total.amount).map((total) => money(total.amount, total.currency));
  const whose = `${ledger.seller_id} on ${ledger.storefront_id}`;
  const summaryLine = owed.length
    ? h(
        "p",
        { id: "ledger-outstanding" },
        h("strong", { class: "amount" }, `${owed.join(" + ")} outstanding`),
        ` that the platform refunded to buyers for ${whose}, to recover from the seller.`,
      )
    : h("p", { id: "ledger-outstanding" }, `Nothing outstanding: the platform has not refunded a buyer for ${whose}.`);
  if (!ledger.items.length) return section(title, summaryLine);
  return section(
    title,
    summaryLine,
    h(
      "table",
      { class: "lines-table", id: "recovery-ledger" },
      h("caption", {}, "Platform refunds"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Case", "Refunded", "Paid", "Recovered"].map((text) => h("th", { scope: "col" }, text)),
        ),
      ),
      h(
        "tbody",
        {},
        ledger.items.map((entry) =>
          h(
            "tr",
            {},
            h("td", {}, caseLink(dispute, entry.case_id)),
            h("td", { class: "amount" }, money(entry.amount, entry.currency)),
            h("td", {}, dateTime(entry.paid_at)),
            h(
              "td",
              {},
              entry.recovered >= entry.amount
                ? badge("Recovered", "success")
                : entry.recovered
                  ? h("span", { class: "amount" }, money(entry.recovered, entry.currency))
                  : badge("Not yet", "warning"),
            ),
          ),
        ),
      ),
    ),
  );
}
