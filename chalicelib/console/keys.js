// Keyboard shortcuts for working fast: j/k next/previous case, c claim, a accept the recommendation,
// o open the override, i request information, ? this list. Ignored while typing, or with Ctrl/Alt/Meta.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { neighbour } from "./navigation.js";

export const SHORTCUTS = [
  ["j", "next"],
  ["k", "previous"],
  ["c", "claim"],
  ["a", "accept"],
  ["o", "override"],
  ["i", "info"],
  ["?", "help"],
];

function typing(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
}

function currentCase() {
  return document.querySelector(".case[data-case-id]")?.dataset.caseId || null;
}

/** On a listing, move the focus along its rows; on a case, open the next case of the last listing. */
function step(direction) {
  const links = [...document.querySelectorAll("tr[data-case-id] .case-link")];
  if (links.length) {
    const at = links.indexOf(document.activeElement);
    const next = links[at < 0 ? (direction > 0 ? 0 : links.length - 1) : at + direction];
    if (next) {
      next.focus();
      next.closest("tr").scrollIntoView({ block: "nearest" });
    }
    return;
  }
  const id = currentCase();
  const next = id && neighbour(id, direction);
  if (next) location.hash = `#/case/${encodeURIComponent(next)}`;
}

function press(selector) {
  const button = document.querySelector(selector);
  if (button && !button.disabled) button.click();
}

/** Open a disclosure of the case's Decide panel and put the cursor in the field one starts with. */
function open(id, first) {
  const details = document.getElementById(id);
  if (!details) return;
  details.open = true; // fires "toggle", which keeps it open across reloads of the case
  details.querySelector(first)?.focus();
  details.scrollIntoView({ block: "start" });
}

const ACTIONS = {
  j: () => step(1),
  k: () => step(-1),
  c: () => press("#claim"),
  a: () => press("#accept-recommendation"),
  o: () => open("override-details", "select"),
  i: () => open("info-details", "textarea"),
  "?": () => toggleHelp(),
};

export function toggleHelp(show) {
  let dialog = document.getElementById("shortcuts");
  if (!dialog) {
    dialog = helpDialog();
    document.body.append(dialog);
  }
  const wanted = show ?? !dialog.open;
  if (wanted && !dialog.open) dialog.showModal();
  else if (!wanted && dialog.open) dialog.close();
}

function helpDialog() {
  const dialog = h(
    "dialog",
    { id: "shortcuts", class: "shortcuts", "aria-labelledby": "shortcuts-title" },
    h("h2", { id: "shortcuts-title" }, t("keys.title")),
    h(
      "dl",
      { class: "shortcut-list" },
      SHORTCUTS.map(([key, name]) => h("div", {}, h("dt", {}, h("kbd", {}, key)), h("dd", {}, t(`keys.${name}`)))),
    ),
    h("p", { class: "hint" }, t("keys.typing")),
    h("form", { method: "dialog" }, h("button", { type: "submit", class: "button" }, t("keys.close"))),
  );
  return dialog;
}

/** Forget the help dialog, so the next one is drawn in the language now chosen. */
export function resetHelp() {
  document.getElementById("shortcuts")?.remove();
}

export function installShortcuts() {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typing(event.target)) return;
    if (document.getElementById("shortcuts")?.open && event.key !== "?") return;
    const action = ACTIONS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
