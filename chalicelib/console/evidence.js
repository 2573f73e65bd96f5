// Both parties' statements and evidence, side by side. Download links last 5 minutes: reloading the case renews them.

import { fields, h } from "./dom.js";
import { bytes, dateTime, inline, label } from "./format.js";
import { t } from "./i18n.js";
import { section } from "./ui.js";

// Types a browser shows inline; HEIC is downloaded instead.
const INLINE_IMAGES = new Set(["image/jpeg", "image/png", "image/webp"]);

export function partiesSection(dispute, evidence) {
  return section(
    "statements-and-evidence",
    t("evidence.title"),
    dispute.info_request
      ? h(
          "p",
          { class: "notice" },
          h("strong", {}, t("evidence.infoRequested")),
          h("span", { class: "api-text" }, dispute.info_request),
        )
      : null,
    h("div", { class: "parties" }, partyColumn("buyer", dispute, evidence), partyColumn("seller", dispute, evidence)),
  );
}

function partyColumn(party, dispute, evidence) {
  const subject = party === "buyer" ? dispute.buyer_id : dispute.seller_id;
  const items = evidence
    .filter((item) => item.party === party)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const opening =
    party === "buyer" ? statement(t("evidence.whenEscalating"), dispute.statement, dispute.created_at) : null;
  const appeal =
    dispute.appeal?.party === party
      ? statement(t("evidence.appeal"), dispute.appeal.statement, dispute.appeal.filed_at)
      : null;
  const empty =
    !items.length && !opening && !appeal
      ? h("p", { class: "muted" }, t("evidence.nothing", { party: inline(party) }))
      : null;
  return h(
    "article",
    { class: `party party-${party}`, "aria-labelledby": `party-${party}` },
    h("h3", { id: `party-${party}` }, label(party), " ", h("span", { class: "muted" }, subject)),
    opening,
    h(
      "ul",
      { class: "evidence-list" },
      items.map((item) =>
        h(
          "li",
          { class: `evidence evidence-${item.kind}`, dataset: { evidenceId: item.evidence_id } },
          evidenceItem(item, party),
        ),
      ),
    ),
    appeal,
    empty,
  );
}

function statement(title, text, at) {
  return h(
    "div",
    { class: "statement" },
    h("p", { class: "evidence-meta" }, title, " · ", dateTime(at)),
    h("blockquote", { class: "api-text" }, text),
  );
}

/** One piece of evidence as the page shows it: its kind and time, then the photo, record or download. */
export function evidenceItem(item, party) {
  const meta = h(
    "p",
    { class: "evidence-meta" },
    label(item.kind),
    " · ",
    dateTime(item.created_at),
    item.size ? ` · ${bytes(item.size)}` : "",
  );
  if (item.kind === "statement") return [meta, h("blockquote", { class: "api-text" }, item.text)];
  if (item.kind === "tracking") return [meta, trackingFields(item.tracking), description(item)];
  if (!item.download) return [meta, description(item), h("p", { class: "muted" }, t("evidence.noDownload"))];
  if (INLINE_IMAGES.has(item.content_type)) return [meta, image(item, party)];
  return [
    meta,
    description(item),
    h(
      "a",
      { href: item.download.url, class: "download", rel: "noopener noreferrer" },
      t("evidence.download", { kind: inline(item.kind), type: item.content_type, size: bytes(item.size) }),
    ),
  ];
}

function image(item, party) {
  const from = t("evidence.from", { kind: label(item.kind), party: inline(party) });
  const alt = item.description ? `${from}: ${item.description}` : from;
  const picture = h("img", { src: item.download.url, alt, decoding: "async" });
  picture.addEventListener("error", () => {
    picture.replaceWith(
      h("p", { class: "muted" }, t("evidence.imageFailed")),
    );
  });
  return h(
    "figure",
    {},
    picture,
    h(
      "figcaption",
      {},
      h("span", { class: "api-text" }, item.description || ""),
      " ",
      h(
        "a",
        {
          href: item.download.url,
          rel: "noopener noreferrer",
          "aria-label": t("evidence.downloadLabel", { what: alt }),
        },
        t("evidence.downloadShort"),
      ),
    ),
  );
}

function trackingFields(tracking) {
  if (!tracking) return null;
  return fields([
    [t("field.carrier"), tracking.carrier ? h("span", { class: "api-text" }, tracking.carrier) : null],
    [t("field.trackingNumber"), tracking.tracking_number],
    [t("field.status"), label(tracking.status)],
    [t("field.delivered"), dateTime(tracking.delivered_at)],
  ]);
}

function description(item) {
  return item.description ? h("p", { class: "api-text" }, item.description) : null;
}
