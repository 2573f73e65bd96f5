// The seller's record beside the case: penalty points from final decisions, and refunds the platform made
// on the seller's behalf (its recovery ledger). Both are advisory: failing to read one never hides the case.

import { h } from "./dom.js";
import { dateTime, money } from "./format.js";
import { t } from "./i18n.js";
import { badge, section } from "./ui.js";

const caseLink = (dispute, caseId) =>
  h(
    "a",
    { href: `#/case/${encodeURIComponent(caseId)}`, title: caseId },
    caseId === dispute.id ? t("seller.thisCase") : `${caseId.slice(0, 12)}…`,
  );

export function penaltiesSection(dispute, penalties) {
  const name = "seller-s-penalty-history";
  const title = t("seller.penaltiesTitle");
  if (penalties.error) {
    const message = penalties.error.message;
    return section(name, title, h("p", { class: "muted" }, t("seller.couldNotLoad", { message })));
  }
  const points = penalties.live_points;
  const summaryLine = h(
    "p",
    { id: "live-points" },
    h("strong", {}, t(points === 1 ? "seller.livePoint" : "seller.livePoints", { count: points })),
    " ",
    t("seller.pointsFor", {
      seller: penalties.seller_id,
      storefront: penalties.storefront_id,
      threshold: penalties.repeat_offender_points,
    }),
  );
  if (!penalties.items.length) {
    return section(name, title, summaryLine, h("p", { class: "muted" }, t("seller.noPoints")));
  }
  return section(
    name,
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
          [t("field.case"), t("field.points"), t("field.recorded"), ""].map((text) => h("th", { scope: "col" }, text)),
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
            h("td", {}, entry.live ? badge(t("seller.live"), "warning") : badge(t("seller.expired"), "quiet")),
          ),
        ),
      ),
    ),
  );
}

export function ledgerSection(dispute, ledger) {
  const name = "seller-s-recovery-ledger";
  const title = t("seller.ledgerTitle");
  if (ledger.error) {
    const message = ledger.error.message;
    return section(name, title, h("p", { class: "muted" }, t("seller.couldNotLoad", { message })));
  }
  const owed = ledger.outstanding.filter((total) => total.amount).map((total) => money(total.amount, total.currency));
  const whose = { seller: ledger.seller_id, storefront: ledger.storefront_id };
  const summaryLine = owed.length
    ? h(
        "p",
        { id: "ledger-outstanding" },
        h("strong", { class: "amount" }, t("seller.outstanding", { amount: owed.join(" + ") })),
        " ",
        t("seller.toRecover", whose),
      )
    : h("p", { id: "ledger-outstanding" }, t("seller.nothingOutstanding", whose));
  if (!ledger.items.length) return section(name, title, summaryLine);
  return section(
    name,
    title,
    summaryLine,
    h(
      "table",
      { class: "lines-table", id: "recovery-ledger" },
      h("caption", {}, t("seller.platformRefunds")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [t("field.case"), t("field.refunded"), t("field.paid"), t("field.recovered")].map((text) =>
            h("th", { scope: "col" }, text),
          ),
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
                ? badge(t("field.recovered"), "success")
                : entry.recovered
                  ? h("span", { class: "amount" }, money(entry.recovered, entry.currency))
                  : badge(t("seller.notYet"), "warning"),
            ),
          ),
        ),
      ),
    ),
  );
}
