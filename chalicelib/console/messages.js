// The case's messages (DESIGN section 11): the thread as a reviewer reads it (every audience), and a form to
// write to everyone, to the buyer or the seller alone, or an internal note only reviewers read (`platform`).
// A message never changes the case, so the form sends no If-Match: it cannot go stale.

import { api } from "./api.js";
import { append, h } from "./dom.js";
import { dateTime, label, shortId } from "./format.js";
import { clearErrors, errorSummary, field, group, showErrors } from "./forms.js";
import { t } from "./i18n.js";
import { badge } from "./ui.js";

export const AUDIENCES = ["everyone", "buyer", "seller", "platform"];
const TONES = { everyone: "info", buyer: "neutral", seller: "neutral", platform: "senior" };
const PAGES = 5; // 5 pages of 100: the most a case may hold (500)

// What a reviewer was writing outlives a reload of the case (after a refusal, say), for as long as the tab lives.
const drafts = new Map();

/** Every message of the case, oldest first, page after page. */
export async function loadMessages(id) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < PAGES; page += 1) {
    const answer = await api.messages(id, cursor);
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export function audienceBadge(audience) {
  const text = t(`messages.audience.${audience}`);
  return h("span", { class: "message-audience", dataset: { audience } }, badge(text, TONES[audience]));
}

/** The thread and the form; `messages` is the list, or {error} when it could not be read. */
export function messagesSection(dispute, messages, evidence, context, reload) {
  return h(
    "section",
    { class: "panel messages", id: "messages", "aria-labelledby": "section-messages" },
    h("h2", { id: "section-messages" }, t("messages.title")),
    thread(messages),
    dispute.status === "closed"
      ? h("p", { class: "muted" }, t("messages.closed"))
      : messageForm(dispute, evidence, context, reload),
  );
}

function thread(messages) {
  if (messages?.error) return h("p", { class: "notice" }, t("messages.load_failed", { error: messages.error.message }));
  if (!messages.length) return h("p", { class: "muted" }, t("messages.empty"));
  return h(
    "ol",
    { class: "message-thread", id: "message-thread" },
    messages.map((message) =>
      h(
        "li",
        { class: "message", dataset: { messageId: message.id, audience: message.audience } },
        h(
          "p",
          { class: "message-meta" },
          h("strong", {}, t(`messages.role.${message.role}`)),
          " ",
          h("span", { class: "muted" }, message.author),
          " ",
          audienceBadge(message.audience),
          " ",
          h("time", { datetime: message.created_at }, dateTime(message.created_at)),
        ),
        h("p", { class: "message-text" }, message.text),
        message.evidence_ids.length
          ? h(
              "p",
              { class: "message-attachments small" },
              t("messages.attachments"),
              " ",
              message.evidence_ids.map((id, index) => [
                index ? ", " : "",
                h("code", { title: id, dataset: { evidenceRef: id } }, shortId(id)),
              ]),
            )
          : null,
      ),
    ),
  );
}

function messageForm(dispute, evidence, context, reload) {
  if (!drafts.has(dispute.id)) drafts.set(dispute.id, { audience: "everyone", text: "", evidence: new Set() });
  const draft = drafts.get(dispute.id);
  const audience = h(
    "select",
    { name: "audience", onchange: (event) => (draft.audience = event.target.value) },
    AUDIENCES.map((value) =>
      h("option", { value, selected: value === draft.audience }, t(`messages.audience.${value}`)),
    ),
  );
  const text = h("textarea", {
    name: "text",
    rows: "3",
    maxlength: "2000",
    value: draft.text,
    oninput: (event) => (draft.text = event.target.value),
  });
  const attachable = evidence.filter((item) => item.status === "verified");
  const form = h("form", { class: "stack action", id: "message-form" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, dispute, draft, context, reload);
  });
  append(form, [
    h("h3", {}, t("messages.form.title")),
    errorSummary(),
    field({ label: t("messages.form.audience"), path: "audience", control: audience }),
    field({ label: t("messages.form.text"), path: "text", hint: t("messages.form.hint"), control: text }),
    attachable.length
      ? group({
          legend: t("messages.form.attach"),
          path: "evidence_ids",
          className: "group group-inline",
          children: attachable.map((item) => attachment(item, draft)),
        })
      : null,
    h("div", {}, h("button", { type: "submit", class: "button" }, t("messages.form.submit"))),
  ]);
  return form;
}

function attachment(item, draft) {
  const box = h("input", {
    type: "checkbox",
    name: "evidence_ids",
    value: item.evidence_id,
    checked: draft.evidence.has(item.evidence_id),
  });
  box.addEventListener("change", () => {
    if (box.checked) draft.evidence.add(item.evidence_id);
    else draft.evidence.delete(item.evidence_id);
  });
  const what = t("messages.form.evidence", { party: t(`messages.role.${item.party}`), kind: label(item.kind) });
  return h("label", { class: "check", title: item.evidence_id }, box, ` ${what} ${shortId(item.evidence_id)}`);
}

async function send(form, dispute, draft, context, reload) {
  const button = form.querySelector("button[type=submit]");
  clearErrors(form);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const body = { text: draft.text, audience: draft.audience, evidence_ids: [...draft.evidence] };
    await api.postMessage(dispute.id, body);
    drafts.delete(dispute.id);
    await reload(t("messages.posted", { audience: t(`messages.audience.${body.audience}`) }), "success");
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    showErrors(form, error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
