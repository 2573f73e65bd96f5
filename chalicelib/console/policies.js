// The platform admin's policies page (#/policies/<storefront>): the version in force and its history, a draft
// editor whose problems are listed beside the field path they are about, and the what-if simulation of a draft
// over the storefront's recorded recommendations, as a table and an inline SVG bar chart (DESIGN section 12).

import { call, query } from "./api.js";
import { fields, h, replace, svg } from "./dom.js";
import { dateTime, money } from "./format.js";
import { t } from "./i18n.js";
import { flash, focusHeading, heading, loading, problem, section } from "./ui.js";

export const ADMIN_ROLE = "platform_admin";
const DAY = 24 * 3600 * 1000;

const enc = encodeURIComponent;
const policies = {
  overview: (storefront, params) => call("GET", `policies/${enc(storefront)}?${query(params)}`),
  publish: (storefront, document) => call("PUT", `policies/${enc(storefront)}`, { body: { document } }),
  simulate: (storefront, body) => call("POST", `policies/${enc(storefront)}/simulate`, { body }),
};

/** The dev-token role option of the sign-in page. */
export function adminRoleOption() {
  return [ADMIN_ROLE, t("policies.role")];
}

/** Whether the service takes the token: any storefront's policy is readable by a platform admin. */
export function probe(claim) {
  return policies.overview(claim.storefront_id || "platform", { limit: 1 });
}

export async function renderPolicies(main, storefront, context) {
  const title = heading(storefront ? t("policies.title.of", { storefront }) : t("policies.title"));
  if (!storefront) {
    replace(main, title, picker(""));
    focusHeading(main);
    return;
  }
  replace(main, title, picker(storefront), loading(t("policies.loading")));
  let overview;
  try {
    overview = await policies.overview(storefront, { limit: 20 });
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    if (context.isCurrent()) replace(main, title, picker(storefront), problem(error, context.rerender));
    return;
  }
  if (!context.isCurrent()) return;
  replace(
    main,
    title,
    picker(storefront),
    inForce(overview),
    history(storefront, overview),
    draftPanel(storefront, overview, context),
  );
  focusHeading(main);
}

function picker(storefront) {
  const input = h("input", { id: "policy-storefront", name: "storefront", value: storefront, required: true });
  const open = (event) => {
    event.preventDefault();
    if (input.value.trim()) location.hash = `#/policies/${enc(input.value.trim())}`;
  };
  return h(
    "form",
    { class: "panel inline", id: "policy-picker", onsubmit: open },
    h("label", { for: "policy-storefront" }, t("policies.storefront")),
    input,
    h("button", { type: "submit", class: "button" }, t("policies.open")),
  );
}

// -- the version in force, and the history ----------------------------------------------------------

function inForce(overview) {
  const current = overview.in_force;
  const source = current.version ? t("policies.version", { version: current.version }) : t("policies.default");
  return section(
    t("policies.in_force"),
    fields([
      [t("policies.field.version"), source],
      [t("policies.field.label"), current.policy_version],
      [t("policies.field.created"), current.created_at ? dateTime(current.created_at) : ""],
      [t("policies.field.by"), current.created_by],
    ]),
    h(
      "details",
      {},
      h("summary", {}, t("policies.whole")),
      h("pre", { class: "policy-json", id: "policy-in-force" }, pretty(current.policy)),
    ),
  );
}

function history(storefront, overview) {
  const body = h("tbody", {}, rows(overview.history));
  const more = h("button", { type: "button", class: "button", id: "policy-history-more" }, t("policies.history.more"));
  let cursor = overview.cursor;
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    try {
      const next = await policies.overview(storefront, { limit: 20, cursor });
      body.append(...rows(next.history));
      cursor = next.cursor;
      more.hidden = !cursor;
    } catch (error) {
      flash(error.message, "error");
    }
  });
  if (!overview.history.length) {
    return section(t("policies.history"), h("p", { class: "muted" }, t("policies.history.none")));
  }
  const head = [t("policies.field.version"), t("policies.field.created"), t("policies.field.by")];
  return section(
    t("policies.history"),
    h(
      "table",
      { class: "lines-table", id: "policy-history" },
      h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
      body,
    ),
    more,
  );
}

function rows(versions) {
  return versions.map((entry) =>
    h(
      "tr",
      {},
      h("td", {}, entry.policy_version),
      h("td", {}, dateTime(entry.created_at)),
      h("td", {}, entry.created_by),
    ),
  );
}

// -- the draft --------------------------------------------------------------------------------------

function draftPanel(storefront, overview, context) {
  const editor = h("textarea", {
    id: "policy-draft",
    name: "document",
    rows: "14",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "policy-draft-help policy-errors",
  });
  editor.value = pretty(overview.in_force.document);
  const errors = h("div", { id: "policy-errors", "aria-live": "assertive" });
  const since = h("input", { type: "date", id: "simulate-since", value: day(-30) });
  const until = h("input", { type: "date", id: "simulate-until", value: day(1) });
  const result = h("div", { id: "simulation", "aria-live": "polite" });

  const draft = () => {
    replace(errors);
    try {
      const parsed = JSON.parse(editor.value || "{}");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
      showProblems(errors, [{ field: "document", message: t("policies.error.object") }], {});
    } catch (error) {
      showProblems(errors, [{ field: "document", message: t("policies.error.json", { message: error.message }) }], {});
    }
    return null;
  };
  const failed = (error, document) => {
    if (error.isSignedOut) return context.signedOut(error);
    if (error.status === 422 && error.details.length) showProblems(errors, error.details, document);
    else flash(error.message, "error");
  };

  const simulate = async (cursor) => {
    const document = draft();
    if (!document) return;
    const body = { document, since: `${since.value}T00:00:00Z`, until: `${until.value}T00:00:00Z`, limit: 100 };
    replace(result, loading(t("policies.simulating")));
    try {
      const answer = await policies.simulate(storefront, cursor ? { ...body, cursor } : body);
      replace(result, simulation(answer, () => simulate(answer.cursor)));
    } catch (error) {
      replace(result);
      failed(error, document);
    }
  };
  const publish = async () => {
    const document = draft();
    if (!document) return;
    try {
      const saved = await policies.publish(storefront, document);
      flash(t("policies.published", { version: saved.policy_version }), "success");
      context.rerender();
    } catch (error) {
      failed(error, document);
    }
  };

  return section(
    t("policies.draft"),
    h("p", { class: "hint", id: "policy-draft-help" }, t("policies.draft.help")),
    h("label", { for: "policy-draft" }, t("policies.draft.label")),
    editor,
    errors,
    h(
      "div",
      { class: "inline" },
      h("label", { for: "simulate-since" }, t("policies.since")),
      since,
      h("label", { for: "simulate-until" }, t("policies.until")),
      until,
    ),
    h(
      "div",
      { class: "inline" },
      h(
        "button",
        { type: "button", class: "button", id: "policy-simulate", onclick: () => simulate(null) },
        t("policies.simulate"),
      ),
      h(
        "button",
        { type: "button", class: "button button-primary", id: "policy-publish", onclick: publish },
        t("policies.publish"),
      ),
    ),
    result,
  );
}

/** Each problem beside the field path it is about, with what the draft holds there. */
function showProblems(target, details, document) {
  const head = [t("policies.error.field"), t("policies.error.problem"), t("policies.error.value")];
  replace(
    target,
    h("p", { class: "field-error" }, t("policies.error.summary", { count: details.length })),
    h(
      "table",
      { class: "lines-table policy-errors" },
      h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
      h(
        "tbody",
        {},
        details.map((detail) =>
          h(
            "tr",
            { dataset: { field: detail.field || "" } },
            h("th", { scope: "row" }, h("code", {}, detail.field || "document")),
            h("td", {}, detail.message),
            h("td", {}, h("code", {}, valueAt(document, detail.field))),
          ),
        ),
      ),
    ),
  );
}

function valueAt(document, path) {
  const parts = String(path || "").split(".").slice(1); // "document.rules.high_amount" -> rules, high_amount
  let value = document;
  for (const part of parts) {
    if (value === null || typeof value !== "object" || !(part in value)) return "—";
    value = value[part];
  }
  return parts.length ? JSON.stringify(value) : "—";
}

// -- the simulation -----------------------------------------------------------------------------------

function beforeAfter(before, after) {
  return t("policies.before_after", { before, after });
}

function simulation(answer, nextPage) {
  const rate = (value) => (value === null ? "—" : `${Math.round(value * 1000) / 10} %`);
  const total = answer.compensation_total;
  const amount = (minor) => (total.currency ? money(minor, total.currency) : "—");
  const review = (auto) => answer.cases - auto;
  return h(
    "div",
    { class: "stack" },
    h("h3", {}, t("policies.result")),
    fields([
      [t("policies.result.cases"), String(answer.cases)],
      [t("policies.result.changed"), String(answer.changed)],
      [t("policies.result.auto"), beforeAfter(rate(answer.auto_rate.before), rate(answer.auto_rate.after))],
      [t("policies.result.compensation"), beforeAfter(amount(total.before), amount(total.after))],
    ]),
    chart(t("policies.chart"), [
      { label: t("policies.chart.auto"), before: answer.auto_cases.before, after: answer.auto_cases.after },
      {
        label: t("policies.chart.review"),
        before: review(answer.auto_cases.before),
        after: review(answer.auto_cases.after),
      },
    ]),
    changes(answer.changes),
    answer.cursor ? nextButton(nextPage) : null,
  );
}

function nextButton(nextPage) {
  const props = { type: "button", class: "button", id: "simulate-next", onclick: nextPage };
  return h("button", props, t("policies.result.next"));
}

function changes(list) {
  if (!list.length) return h("p", { class: "muted", id: "simulation-changes" }, t("policies.result.none"));
  const head = [t("policies.change.case"), t("policies.change.before"), t("policies.change.after")];
  const terms = (side) => `${t(`policies.outcome.${side.outcome}`)} · ${t(`policies.decision.${side.decision}`)}`;
  return h(
    "table",
    { class: "lines-table", id: "simulation-changes" },
    h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
    h(
      "tbody",
      {},
      list.map((change) =>
        h(
          "tr",
          {},
          h("td", {}, h("code", {}, change.dispute_id)),
          h("td", {}, terms(change.before)),
          h("td", {}, terms(change.after)),
        ),
      ),
    ),
  );
}

/** A grouped bar chart, before and after per group, drawn as inline SVG (no library). */
function chart(title, groups) {
  const width = 360;
  const height = 160;
  const bar = 36;
  const top = 16;
  const base = height - 28;
  const most = Math.max(1, ...groups.flatMap((g) => [g.before, g.after]));
  const scale = (value) => ((base - top) * value) / most;
  const summary = groups
    .map((g) => t("policies.chart.bar", { label: g.label, before: g.before, after: g.after }))
    .join("; ");
  const drawing = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${title}: ${summary}`,
    class: "policy-chart",
    id: "simulation-chart",
  });
  groups.forEach((group, index) => {
    const x = 40 + index * 170;
    [
      ["before", group.before, 0],
      ["after", group.after, bar + 8],
    ].forEach(([side, value, offset]) => {
      const y = base - scale(value);
      drawing.append(svg("rect", { x: x + offset, y, width: bar, height: base - y, class: `bar bar-${side}` }));
      drawing.append(svg("text", { x: x + offset + bar / 2, y: y - 4, "text-anchor": "middle" }, String(value)));
    });
    drawing.append(svg("text", { x: x + bar + 4, y: height - 8, "text-anchor": "middle" }, group.label));
  });
  drawing.append(svg("line", { x1: 20, y1: base, x2: width - 10, y2: base, class: "axis" }));
  const legend = h(
    "p",
    { class: "hint chart-legend" },
    h("span", { class: "swatch swatch-before" }),
    t("policies.chart.before"),
    " ",
    h("span", { class: "swatch swatch-after" }),
    t("policies.chart.after"),
  );
  return h("figure", { class: "chart" }, h("figcaption", {}, title), drawing, legend);
}

function pretty(value) {
  return JSON.stringify(value ?? {}, null, 2);
}

function day(offset) {
  return new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
}
