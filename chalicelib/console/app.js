// The reviewer console: hash routes (#/queue/review|senior|fulfilment|closed, #/case/<id>, #/search/<field>/<value>,
// #/dashboard) over the /v1 API, in the reviewer's language (i18n.js), with keyboard shortcuts (keys.js);
// platform admins get the policies page (#/policies/<storefront>, policies.js).

import { api } from "./api.js";
import { renderCase } from "./case.js";
import { renderDashboard } from "./dashboard.js";
import { h, replace, select } from "./dom.js";
import { label } from "./format.js";
import { LOCALES, locale, setLocale, t } from "./i18n.js";
import { installShortcuts, resetHelp, toggleHelp } from "./keys.js";
import { ADMIN_ROLE, adminRoleOption, probe, renderPolicies } from "./policies.js";
import { QUEUES, renderQueue } from "./queue.js";
import { renderSearch } from "./search.js";
import * as session from "./session.js";
import { clearFlash, flash, focusHeading, heading } from "./ui.js";

const main = document.getElementById("main");
let renders = 0;

/** A path segment as typed; a malformed escape (`%E0%A4%A`) names nothing, so the route falls back. */
function decoded(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function currentRoute() {
  const [view, arg, value] = location.hash.replace(/^#\/?/, "").split("/").map((part) => part ?? "");
  const [id, text] = [arg ? decoded(arg) : null, value ? decoded(value) : null];
  if (view === "case" && id) return { view: "case", id };
  if (view === "policies") return { view: "policies", storefront: id || "" };
  if (view === "search" && arg && text) return { view: "search", field: arg, value: text };
  if (view === "dashboard") return { view: "dashboard" };
  return { view: "queue", queue: QUEUES.includes(arg) ? arg : "review" };
}

function signedIn() {
  const claim = session.claims();
  return Boolean(session.token() && claim && !session.isExpired(claim));
}

function updateSessionNav() {
  const nav = document.getElementById("session-nav");
  const claim = signedIn() ? session.claims() : null;
  nav.hidden = !claim;
  document.getElementById("who").textContent = claim ? `${claim.sub} · ${label(claim.role)}` : "";
  const route = currentRoute().view;
  for (const [id, current] of [
    ["nav-queues", route === "queue"],
    ["nav-dashboard", route === "dashboard"],
  ]) {
    document.getElementById(id).setAttribute("aria-current", current ? "page" : "false");
  }
}

/** The page's fixed words (index.html's data-i18n), and the switch that offers the other language. */
function translateShell() {
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  const other = Object.keys(LOCALES).find((tag) => tag !== locale());
  const toggle = document.getElementById("locale-switch");
  toggle.textContent = t("locale.switch");
  toggle.lang = other;
  toggle.dataset.locale = other;
  toggle.setAttribute("aria-label", t("locale.switchLabel"));
}

/** What every view gets: who is signed in, whether its render is still the latest, and a way out. */
function viewContext() {
  const id = ++renders;
  return {
    me: session.claims(),
    isCurrent: () => id === renders,
    rerender: render,
    signedOut(error) {
      session.signOut();
      flash(t("signIn.signedOutBecause", { message: error.message }), "warning");
      render();
    },
  };
}

async function render() {
  updateSessionNav();
  const route = currentRoute();
  const context = viewContext();
  if (!signedIn()) {
    session.signOut();
    renderSignIn(context);
    return;
  }
  if (context.me?.role === ADMIN_ROLE) await renderPolicies(main, route.storefront || "", context);
  else if (route.view === "case") await renderCase(main, route.id, context);
  else if (route.view === "search") await renderSearch(main, route.field, route.value, context);
  else if (route.view === "dashboard") await renderDashboard(main, context);
  else await renderQueue(main, route.queue, context);
}

// -- signing in ---------------------------------------------------------------

function renderSignIn(context) {
  const error = h("p", { class: "field-error", id: "token-error", "aria-live": "assertive" });
  const input = h("textarea", {
    id: "token-input",
    name: "token",
    rows: "4",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "token-help token-error",
  });
  const form = h(
    "form",
    { class: "panel stack", onsubmit: (event) => signInWith(event, input.value, error, context) },
    h("label", { for: "token-input" }, t("signIn.token")),
    h("p", { class: "hint", id: "token-help" }, t("signIn.tokenHelp")),
    input,
    error,
    h("div", {}, h("button", { type: "submit", class: "button button-primary" }, t("signIn.button"))),
  );
  replace(main, h("div", { class: "sign-in" }, heading(t("signIn.title")), form, devTokenPanel(error, context)));
  focusHeading(main);
}

function devTokenPanel(error, context) {
  if (document.body.dataset.devTokens !== "on") return null;
  const role = select({ id: "dev-role", name: "role" }, [
    ["reviewer", label("reviewer")],
    ["senior_reviewer", label("senior_reviewer")],
    adminRoleOption(),
  ]);
  const mint = async () => {
    try {
      const minted = await api.devToken(role.value);
      await signInWith(null, minted.token, error, context);
    } catch (problem) {
      error.textContent = problem.message;
    }
  };
  return h(
    "section",
    { class: "panel stack", "aria-labelledby": "dev-title" },
    h("h2", { id: "dev-title" }, t("signIn.devTitle")),
    h("p", { class: "hint" }, t("signIn.devHelp")),
    h("div", { class: "inline" }, h("label", { for: "dev-role" }, t("signIn.role")), role),
    h(
      "div",
      {},
      h("button", { type: "button", class: "button", id: "dev-token", onclick: mint }, t("signIn.devButton")),
    ),
  );
}

async function signInWith(event, value, error, context) {
  if (event) event.preventDefault();
  const claim = session.claims(value.trim());
  if (!claim) {
    error.textContent = t("signIn.notJwt");
    return;
  }
  if (!session.REVIEWER_ROLES.includes(claim.role) && claim.role !== ADMIN_ROLE) {
    error.textContent = t("signIn.wrongRole", { role: claim.role ? label(claim.role) : t("signIn.noRole") });
    return;
  }
  if (session.isExpired(claim)) {
    error.textContent = t("signIn.expired");
    return;
  }
  session.signIn(value);
  try {
    // the API, not the page, decides whether the token is good
    await (claim.role === ADMIN_ROLE ? probe(claim) : api.queue({ queue: "review", limit: 1 }));
  } catch (problem) {
    session.signOut();
    error.textContent = t("signIn.refused", { message: problem.message });
    return;
  }
  if (!context.isCurrent()) return;
  clearFlash();
  flash(t("signIn.done", { sub: claim.sub }), "success");
  render();
}

function signOutClicked() {
  session.signOut();
  clearFlash();
  flash(t("signIn.signedOut"));
  render();
}

function switchLocale(event) {
  setLocale(event.currentTarget.dataset.locale);
  resetHelp();
  translateShell();
  clearFlash();
  render(); // every view draws its words from the catalogs: drawing it again is the whole switch
}

translateShell();
installShortcuts();
document.getElementById("locale-switch").addEventListener("click", switchLocale);
document.getElementById("shortcuts-help").addEventListener("click", () => toggleHelp(true));
document.getElementById("sign-out").addEventListener("click", signOutClicked);
window.addEventListener("hashchange", () => {
  clearFlash();
  render();
});
render();
