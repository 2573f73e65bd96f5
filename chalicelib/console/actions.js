// What a reviewer can do with a case in review: claim it, ask a party, accept or override the recommendation;
// or, when a receipt came back disputed, decide what the buyer is still owed.
// Every write carries If-Match: <version>, so a page that fell behind gets a 409 instead of overwriting.

import { api } from "./api.js";
import { h } from "./dom.js";
import { clearErrors, errorSummary, field, group, showErrors } from "./forms.js";
import { label, money } from "./format.js";
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
    return section("Decide", h("p", { class: "muted" }, nothingToDecide(dispute)));
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
      "Disputed receipt",
      claimBlock(dispute, context, run),
      reportSummary(dispute, evidence),
      receiptForm(dispute, draft.receipt, run),
    );
  }
  return section(
    "Decide",
    claimBlock(dispute, context, run),
    seniorNotice(dispute, context),
    dispute.recommendation ? acceptForm(dispute, draft, run) : null,
    overrideForm(dispute, draft, run),
    infoRequestForm(dispute, draft, run),
  );
}

function nothingToDecide(dispute) {
  const waiting = dispute.open_window;
  const status = label(dispute.status).toLowerCase();
  if (!waiting) return `Nothing to decide: the case is ${status}.`;
  if (dispute.status === "fulfilling" && dispute.fulfilment?.party) {
    return (
      `Nothing to decide: the decision is being carried out, waiting for the ${dispute.fulfilment.party} ` +
      `(${label(waiting.kind).toLowerCase()}).`
    );
  }
  return `Nothing to decide now: the case is ${status}, waiting for ${label(waiting.kind).toLowerCase()}.`;
}

function claimBlock(dispute, context, run) {
  const holder = dispute.claimed_by;
  if (holder && holder === context.me.sub) return h("p", { class: "claim" }, badge("Claimed by you", "success"));
  if (holder) {
    return h(
      "p",
      { class: "claim" },
      badge(`Claimed by ${holder}`, "warning"),
      " Only they can decide it while they hold it.",
    );
  }
  const form = h("form", {
    class: "claim",
    onsubmit: (event) => run(event, form, () => api.claim(dispute.id, dispute.version), "You claimed the case.", false),
  });
  form.append(
    errorSummary(),
    h("span", { class: "muted" }, "Nobody holds this case. "),
    h("button", { type: "submit", class: "button button-primary", id: "claim" }, "Claim"),
  );
  return form;
}

function seniorNotice(dispute, context) {
  const senior = dispute.appeal || dispute.senior_queue_since;
  if (!senior || context.me.role === "senior_reviewer") return null;
  return h("p", { class: "notice" }, "This case is in the senior queue: only a senior reviewer can decide it.");
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
    onsubmit: (event) => run(event, form, request, "Ruling issued: the recommendation was accepted."),
  });
  form.append(
    h("h3", { id: "accept-title" }, "Accept the recommendation"),
    errorSummary(),
    field({
      label: "Notes to both parties",
      path: "notes",
      control: bindText(h("textarea", { name: "notes", rows: "2" }), draft.accept, "notes"),
    }),
    h("div", {}, h("button", { type: "submit", class: "button button-primary" }, "Accept recommendation")),
  );
  return form;
}

function overrideForm(dispute, draft, run) {
  const request = () => {
    const { body, problems } = rulingBody(draft.ruling, dispute.currency);
    if (problems.length) {
      return Promise.reject(
        Object.assign(new Error("Some amounts cannot be read; see the marked fields."), { details: problems }),
      );
    }
    return api.rule(dispute.id, dispute.version, body);
  };
  const form = h("form", {
    class: "stack action",
    id: "override-form",
    onsubmit: (event) => run(event, form, request, "Ruling issued."),
  });
  form.append(
    errorSummary(),
    ...rulingFields(draft.ruling, dispute),
    h("div", {}, h("button", { type: "submit", class: "button button-primary", id: "issue-ruling" }, "Issue ruling")),
  );
  return disclosure("Override the recommendation", form, draft.open, "override");
}

function receiptForm(dispute, draft, run) {
  const { nodes, describe } = receiptFields(draft, dispute);
  const request = () => {
    const { body, problems } = receiptBody(draft, dispute);
    if (problems.length) {
      return Promise.reject(Object.assign(new Error("Check the marked field."), { details: problems }));
    }
    return api.decideReceipt(dispute.id, dispute.version, body).catch((error) => {
      explainRefusal(error, draft, dispute.currency);
      describe(); // the bounds the API reported now show under the amount
      throw error;
    });
  };
  const decided = () => {
    const owed = receiptBody(draft, dispute).body?.owed;
    return owed
      ? `Receipt decided: ${money(owed, dispute.currency)} is still owed; the refund step is open for the storefront.`
      : "Receipt decided: nothing more is owed.";
  };
  const form = h("form", {
    class: "stack action",
    id: "receipt-form",
    "aria-labelledby": "receipt-title",
    onsubmit: (event) => run(event, form, request, decided()),
  });
  form.append(
    h("h3", { id: "receipt-title" }, "Decide what is still owed"),
    errorSummary(),
    ...nodes,
    h(
      "div",
      {},
      h("button", { type: "submit", class: "button button-primary", id: "decide-receipt" }, "Record the decision"),
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
    onsubmit: (event) => run(event, form, request, "Information requested; the case waits for the party."),
  });
  form.append(
    errorSummary(),
    group({
      legend: "Ask",
      path: "parties",
      className: "group group-inline",
      children: [checkbox("buyer"), checkbox("seller")],
    }),
    field({
      label: "Question",
      path: "message",
      hint: "The party gets a new deadline to answer; then the case comes back to review.",
      control: bindText(h("textarea", { name: "message", rows: "3" }), info, "message"),
    }),
    h("div", {}, h("button", { type: "submit", class: "button" }, "Send the request")),
  );
  return disclosure("Request information from a party", form, draft.open, "info");
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
        `This case changed while you had it open${now ? ` (it is now at version ${now})` : ""}. ` +
          "It has been reloaded with the latest state and your draft kept: check it, then submit again.",
        "warning",
      );
      return;
    }
    showErrors(form, error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
