// What a reviewer can do with a case in review: claim it, ask a party, accept or override the recommendation;
// or, when a receipt came back disputed, decide what the buyer is still owed.
// Every write carries If-Match: <version>, so a page that fell behind gets a 409 instead of overwriting.

import { api } from "./api.js";
import { h } from "./dom.js";
import { clearErrors, errorSummary, field, group, showErrors } from "./forms.js";
import { inline, label, money } from "./format.js";
import { t } from "./i18n.js";
import { explainRefusal, receiptBody, receiptDraft, receiptFields, reportSummary } from "./receipt-form.js";
import { draftFrom, rulingBody, rulingFields } from "./ruling-form.js";
import { badge, section } from "./ui.js";

// Drafts outlive a reload of the case (after a 409, say), for as long as the tab lives.
const drafts = new Map();

function draftsFor(dispute) {
  if (!drafts.has(dispute.id)) {
    drafts.set(dispute.id, {
      ruling: draftFrom(dispute),
      accept: { notes: "" },
      info: { buyer: false, seller: false, message: "" },
      receipt: receiptDraft(),
      open: { override: false, info: false },
    });
  }
  return drafts.get(dispute.id);
}

export function isDecidable(dispute) {
  return ["under_review", "appealed"].includes(dispute.status) && dispute.open_window?.kind === "review";
}

/** The "Decide" panel. `reload(message, tone)` fetches the case again and redraws the page. */
export function actionsPanel(dispute, evidence, context, reload) {
  if (!isDecidable(dispute)) {
    return section("decide", t("decide.title"), h("p", { class: "muted" }, nothingToDecide(dispute)));
  }
  const draft = draftsFor(dispute);
  const run = (event, form, request, done, forget = true) => {
    event.preventDefault();
    return submit({ form, request, done, forget, dispute, context, reload });
  };
  if (dispute.fulfilment?.receipt_review) {
    // The ruling is final and being carried out: the API refuses a ruling now (409); what is left is the receipt.
    // Any reviewer may decide it (the API asks no senior role for it, even on a case appealed earlier).
    return section(
      "disputed-receipt",
      t("receipt.marker"),
      claimBlock(dispute, context, run),
      reportSummary(dispute, evidence),
      receiptForm(dispute, draft.receipt, run),
    );
  }
  return section(
    "decide",
    t("decide.title"),
    claimBlock(dispute, context, run),
    seniorNotice(dispute, context),
    dispute.recommendation ? acceptForm(dispute, draft, run) : null,
    overrideForm(dispute, draft, run),
    infoRequestForm(dispute, draft, run),
  );
}

function nothingToDecide(dispute) {
  const waiting = dispute.open_window;
  const status = inline(dispute.status);
  if (!waiting) return t("decide.nothing", { status });
  if (dispute.status === "fulfilling" && dispute.fulfilment?.party) {
    return t("decide.nothingFulfilling", { party: inline(dispute.fulfilment.party), step: inline(waiting.kind) });
  }
  return t("decide.nothingWaiting", { status, waiting: inline(waiting.kind) });
}

function claimBlock(dispute, context, run) {
  const holder = dispute.claimed_by;
  if (holder && holder === context.me.sub) return h("p", { class: "claim" }, badge(t("claim.byYou"), "success"));
  if (holder) {
    return h(
      "p",
      { class: "claim" },
      badge(t("claim.byOther", { holder }), "warning"),
      " ",
      t("claim.onlyThey"),
    );
  }
  const form = h("form", {
    class: "claim",
    onsubmit: (event) => run(event, form, () => api.claim(dispute.id, dispute.version), t("claim.done"), false),
  });
  form.append(
    errorSummary(),
    h("span", { class: "muted" }, t("claim.nobody"), " "),
    h("button", { type: "submit", class: "button button-primary", id: "claim" }, t("claim.button")),
  );
  return form;
}

function seniorNotice(dispute, context) {
  const senior = dispute.appeal || dispute.senior_queue_since;
  if (!senior || context.me.role === "senior_reviewer") return null;
  return h("p", { class: "notice" }, t("decide.seniorOnly"));
}

function acceptForm(dispute, draft, run) {
  const request = () =>
    api.rule(dispute.id, dispute.version, {
      accept_recommendation: true,
      notes: draft.accept.notes.trim() || undefined,
    });
  const form = h("form", {
    class: "stack action",
    "aria-labelledby": "accept-title",
    onsubmit: (event) => run(event, form, request, t("accept.done")),
  });
  form.append(
    h("h3", { id: "accept-title" }, t("accept.title")),
    errorSummary(),
    field({
      label: t("ruling.notes"),
      path: "notes",
      control: bindText(h("textarea", { name: "notes", rows: "2" }), draft.accept, "notes"),
    }),
    h(
      "div",
      {},
      h("button", { type: "submit", class: "button button-primary", id: "accept-recommendation" }, t("accept.button")),
    ),
  );
  return form;
}

function overrideForm(dispute, draft, run) {
  const request = () => {
    const { body, problems } = rulingBody(draft.ruling, dispute.currency);
    if (problems.length) {
      return Promise.reject(
        Object.assign(new Error(t("ruling.unreadable")), { details: problems }),
      );
    }
    return api.rule(dispute.id, dispute.version, body);
  };
  const form = h("form", {
    class: "stack action",
    id: "override-form",
    onsubmit: (event) => run(event, form, request, t("ruling.done")),
  });
  form.append(
    errorSummary(),
    ...rulingFields(draft.ruling, dispute),
    h(
      "div",
      {},
      h("button", { type: "submit", class: "button button-primary", id: "issue-ruling" }, t("ruling.issue")),
    ),
  );
  return disclosure(t("override.title"), form, draft.open, "override");
}

function receiptForm(dispute, draft, run) {
  const { nodes, describe } = receiptFields(draft, dispute);
  const request = () => {
    const { body, problems } = receiptBody(draft, dispute);
    if (problems.length) {
      return Promise.reject(Object.assign(new Error(t("form.checkField")), { details: problems }));
    }
    return api.decideReceipt(dispute.id, dispute.version, body).catch((error) => {
      explainRefusal(error, draft, dispute.currency);
      describe(); // the bounds the API reported now show under the amount
      throw error;
    });
  };
  const decided = () => {
    const owed = receiptBody(draft, dispute).body?.owed;
    return owed ? t("receipt.decidedOwed", { amount: money(owed, dispute.currency) }) : t("receipt.decidedNothing");
  };
  const form = h("form", {
    class: "stack action",
    id: "receipt-form",
    "aria-labelledby": "receipt-title",
    onsubmit: (event) => run(event, form, request, decided()),
  });
  form.append(
    h("h3", { id: "receipt-title" }, t("receipt.title")),
    errorSummary(),
    ...nodes,
    h(
      "div",
      {},
      h("button", { type: "submit", class: "button button-primary", id: "decide-receipt" }, t("receipt.record")),
    ),
  );
  return form;
}

function infoRequestForm(dispute, draft, run) {
  const info = draft.info;
  const checkbox = (party) => {
    const box = h("input", { type: "checkbox", name: "parties", value: party, checked: info[party] });
    box.addEventListener("change", () => {
      info[party] = box.checked;
    });
    return h("label", { class: "check" }, box, ` ${label(party)}`);
  };
  const request = () => {
    const parties = ["buyer", "seller"].filter((party) => info[party]);
    return api.requestInformation(dispute.id, dispute.version, { parties, message: info.message.trim() });
  };
  const form = h("form", {
    class: "stack action",
    onsubmit: (event) => run(event, form, request, t("info.done")),
  });
  form.append(
    errorSummary(),
    group({
      legend: t("info.ask"),
      path: "parties",
      className: "group group-inline",
      children: [checkbox("buyer"), checkbox("seller")],
    }),
    field({
      label: t("info.question"),
      path: "message",
      hint: t("info.hint"),
      control: bindText(h("textarea", { name: "message", rows: "3" }), info, "message"),
    }),
    h("div", {}, h("button", { type: "submit", class: "button" }, t("info.send"))),
  );
  return disclosure(t("info.title"), form, draft.open, "info");
}

/** A <details> section that stays open across reloads of the case. */
function disclosure(title, form, open, key) {
  const details = h(
    "details",
    { class: "action-details", id: `${key}-details`, open: open[key] },
    h("summary", {}, title),
    form,
  );
  details.addEventListener("toggle", () => {
    open[key] = details.open;
  });
  return details;
}

function bindText(control, target, key) {
  control.value = target[key];
  control.addEventListener("input", () => {
    target[key] = control.value;
  });
  return control;
}

async function submit({ form, request, done, forget, dispute, context, reload }) {
  const button = form.querySelector("button[type=submit]");
  clearErrors(form);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await request();
    if (forget) drafts.delete(dispute.id);
    await reload(done, "success");
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    if (error.isStale) {
      const now = error.details?.[0]?.version;
      await reload(
        now ? t("stale.reloadedAt", { version: now }) : t("stale.reloaded"),
        "warning",
      );
      return;
    }
    showErrors(form, error, (detail) => explain(detail, dispute.currency));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// The API's messages that name a field or count minor units, said the reviewer's way: [field, pattern, key].
const EXPLAINED = [
  ["override_reason", /departs from the recommendation/, () => t("apiError.overrideReason")],
  [
    "compensation",
    /\((\d+)\) exceeds the order total \((\d+)\)/,
    (match, currency) =>
      t("apiError.exceedsTotal", {
        asked: money(Number(match[1]), currency),
        total: money(Number(match[2]), currency),
      }),
  ],
];

/** A detail of the API's error in the reviewer's words, or null to show the API's own message. */
function explain(detail, currency) {
  for (const [field, pattern, say] of EXPLAINED) {
    const match = detail.field === field ? pattern.exec(detail.message) : null;
    if (match) return say(match, currency);
  }
  return null;
}
