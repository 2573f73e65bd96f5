// Both parties' statements and evidence, side by side. Download links last 5 minutes: reloading the case renews them.

import { fields, h } from "./dom.js";
import { bytes, dateTime, label } from "./format.js";
import { section } from "./ui.js";

// Types a browser shows inline; HEIC is downloaded instead.
const INLINE_IMAGES = new Set(["image/jpeg", "image/png", "image/webp"]);

export function partiesSection(dispute, evidence) {
  return section(
    "Statements and evidence",
    dispute.info_request
      ? h("p", { class: "notice" }, h("strong", {}, "Information requested: "), dispute.info_request)
      : null,
    h("div", { class: "parties" }, partyColumn("buyer", dispute, evidence), partyColumn("seller", dispute, evidence)),
  );
}

function partyColumn(party, dispute, evidence) {
  const subject = party === "buyer" ? dispute.buyer_id : dispute.seller_id;
  const items = evidence
    .filter((item) => item.party === party)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const opening = party === "buyer" ? statement("When escalating", dispute.statement, dispute.created_at) : null;
  const appeal =
    dispute.appeal?.party === party ? statement("Appeal", dispute.appeal.statement, dispute.appeal.filed_at) : null;
  const empty =
    !items.length && !opening && !appeal ? h("p", { class: "muted" }, `The ${party} submitted nothing.`) : null;
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
    h("blockquote", {}, text),
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
  if (item.kind === "statement") return [meta, h("blockquote", {}, item.text)];
  if (item.kind === "tracking") return [meta, trackingFields(item.tracking), description(item)];
  if (!item.download) return [meta, description(item), h("p", { class: "muted" }, "No download available.")];
  if (INLINE_IMAGES.has(item.content_type)) return [meta, image(item, party)];
  return [
    meta,
    description(item),
    h(
      "a",
      { href: item.download.url, class: "download", rel: "noopener noreferrer" },
      `Download ${label(item.kind).toLowerCase()} (${item.content_type}, ${bytes(item.size)})`,
    ),
  ];
}

function image(item, party) {
  const alt = `${label(item.kind)} from the ${party}${item.description ? `: ${item.description}` : ""}`;
  const picture = h("img", { src: item.download.url, alt, decoding: "async" });
  picture.addEventListener("error", () => {
    picture.replaceWith(
      h("p", { class: "muted" }, "This image could not be shown; its link may have expired. Reload the case."),
    );
  });
  return h(
    "figure",
    {},
    picture,
    h(
      "figcaption",
      {},
      item.description || "",
      " ",
      h(
        "a",
        {
          href: item.download.url,
          rel: "noopener noreferrer",
          "aria-label": `Download the ${alt.charAt(0).toLowerCase()}${alt.slice(1)}`,
        },
        "Download",
      ),
    ),
  );
}

function trackingFields(tracking) {
  if (!tracking) return null;
  return fields([
    ["Carrier", tracking.carrier],
    ["Tracking number", tracking.tracking_number],
    ["Status", label(tracking.status)],
    ["Delivered", dateTime(tracking.delivered_at)],
  ]);
}

function description(item) {
  return item.description ? h("p", {}, item.description) : null;
}
