// The reviewer console: hash routes (#/queue/review, #/queue/senior, #/queue/fulfilment, #/case/<id>) over the /v1 API;
// platform admins get the policies page (#/policies/<storefront>, policies.js).

import { api } from "./api.js";
import { renderCase } from "./case.js";
import { h, replace, select } from "./dom.js";
import { label } from "./format.js";
import { ADMIN_ROLE, adminRoleOption, probe, renderPolicies } from "./policies.js";
import { QUEUES, renderQueue } from "./queue.js";
import * as session from "./session.js";
import { clearFlash, flash, focusHeading, heading } from "./ui.js";

const main = document.getElementById("main");
let renders = 0;

function currentRoute() {
  const [view, arg] = location.hash.replace(/^#\/?/, "").split("/");
  if (view === "case" && arg) return { view: "case", id: decodeURIComponent(arg) };
  if (view === "policies") return { view: "policies", storefront: arg ? decodeURIComponent(arg) : "" };
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
      flash(`Signed out: ${error.message} Sign in again.`, "warning");
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
    h("label", { for: "token-input" }, "Reviewer token"),
    h(
      "p",
      { class: "hint", id: "token-help" },
      "Paste a bearer token with the reviewer or senior_reviewer role. It stays in this tab's session storage and is sent only to this service.",
    ),
    input,
    error,
    h("div", {}, h("button", { type: "submit", class: "button button-primary" }, "Sign in")),
  );
  replace(main, h("div", { class: "sign-in" }, heading("Sign in"), form, devTokenPanel(error, context)));
  focusHeading(main);
}

function devTokenPanel(error, context) {
  if (document.body.dataset.devTokens !== "on") return null;
  const role = select({ id: "dev-role", name: "role" }, [
    ["reviewer", "Reviewer"],
    ["senior_reviewer", "Senior reviewer"],
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
    h("h2", { id: "dev-title" }, "Local runtime"),
    h(
      "p",
      { class: "hint" },
      "This service runs locally with the dev secret, so it can mint a short-lived reviewer token for you.",
    ),
    h("div", { class: "inline" }, h("label", { for: "dev-role" }, "Role"), role),
    h(
      "div",
      {},
      h("button", { type: "button", class: "button", id: "dev-token", onclick: mint }, "Mint a dev token and sign in"),
    ),
  );
}

async function signInWith(event, value, error, context) {
  if (event) event.preventDefault();
  const claim = session.claims(value.trim());
  if (!claim) {
    error.textContent = "That is not a JWT (three base64url parts separated by dots).";
    return;
  }
  if (!session.REVIEWER_ROLES.includes(claim.role) && claim.role !== ADMIN_ROLE) {
    error.textContent = `This token's role is ${claim.role || "missing"}; the console needs reviewer or senior_reviewer.`;
    return;
  }
  if (session.isExpired(claim)) {
    error.textContent = "This token has expired.";
    return;
  }
  session.signIn(value);
  try {
    // the API, not the page, decides whether the token is good
    await (claim.role === ADMIN_ROLE ? probe(claim) : api.queue({ queue: "review", limit: 1 }));
  } catch (problem) {
    session.signOut();
    error.textContent = `The service refused this token: ${problem.message}`;
    return;
  }
  if (!context.isCurrent()) return;
  clearFlash();
  flash(`Signed in as ${claim.sub}.`, "success");
  render();
}

function signOutClicked() {
  session.signOut();
  clearFlash();
  flash("Signed out.");
  render();
}

document.getElementById("sign-out").addEventListener("click", signOutClicked);
window.addEventListener("hashchange", () => {
  clearFlash();
  render();
});
render();
