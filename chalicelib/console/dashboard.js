// The dashboard (#/dashboard): the reviewer-only reports endpoint's figures, as tiles and charts the page
// draws itself in inline SVG (no library, no CDN). Every number comes from GET /v1/reports/overview.

import { api } from "./api.js";
import { h, replace, select, svg } from "./dom.js";
import { count, date, duration, label, money, percent } from "./format.js";
import { t } from "./i18n.js";
import { focusHeading, heading, loading, problem, section } from "./ui.js";

const PERIODS = [7, 30, 90];
const DECIDERS = ["rules", "reviewer", "parties", "none"];
// Outcome colours (classes in app.css), in the order the legend lists them.
const OUTCOMES = ["refund_full", "refund_partial", "return_and_refund", "exchange", "repair", "claim_denied"];
let period = 30;

/** A panel of the dashboard, titled from the catalog. */
function panel(name, ...children) {
  return section(`dashboard-${name}`, t(`dashboard.panel.${name}`), ...children);
}

function tile(name, value, detail, tone = "") {
  return h(
    "div",
    { class: `tile ${tone}`, dataset: { figure: name } },
    h("p", { class: "tile-label" }, t(`dashboard.tile.${name}`)),
    h("p", { class: "tile-value" }, value),
    detail ? h("p", { class: "tile-detail" }, detail) : null,
  );
}

function tiles(figures) {
  const now = figures.now;
  const ruling = figures.time_to_ruling;
  const payouts = figures.fulfilment.platform_payouts.map((total) => money(total.amount, total.currency));
  return h(
    "div",
    { class: "tiles" },
    tile(
      "queue",
      count(now.review + now.senior),
      t("dashboard.queueDetail", { review: now.review, senior: now.senior }),
    ),
    tile("slaNow", count(now.sla_breached), null, now.sla_breached ? "tile-danger" : ""),
    tile(
      "overdue",
      count(now.fulfilment_overdue),
      t("dashboard.ofFulfilling", { count: now.fulfilment }),
      now.fulfilment_overdue ? "tile-warning" : "",
    ),
    tile("closed", count(figures.closed), t("dashboard.slaInPeriod", { count: figures.sla_breaches })),
    tile("timeToRuling", duration(ruling.median_seconds), t("dashboard.p90", { value: duration(ruling.p90_seconds) })),
    tile(
      "automatic",
      percent(figures.automatic_share),
      t("dashboard.automaticDetail", { rules: figures.decided_by.rules, reviewer: figures.decided_by.reviewer }),
    ),
    tile(
      "overturn",
      percent(figures.appeals.overturn_rate),
      t("dashboard.overturnDetail", { overturned: figures.appeals.overturned, appealed: figures.appeals.appealed }),
    ),
    tile(
      "payouts",
      payouts.length ? payouts.join(" + ") : "—",
      t("dashboard.payoutDetail", { count: figures.fulfilment.platform_refunded, lapsed: figures.fulfilment.lapsed }),
    ),
  );
}

/** Closed cases per day, the ones that passed their review SLA drawn in red on top of the rest. */
function byDayChart(days) {
  const width = 720;
  const height = 180;
  const top = 12;
  const bottom = 24;
  const left = 32;
  const most = Math.max(1, ...days.map((day) => day.closed));
  const step = (width - left) / days.length;
  const scale = (value) => ((height - top - bottom) * value) / most;
  const bars = days.map((day, index) => {
    const x = left + index * step + 1;
    const barWidth = Math.max(step - 2, 1);
    const all = scale(day.closed);
    const late = scale(day.sla_breaches);
    const title = t("dashboard.dayTitle", { day: date(day.day), closed: day.closed, breaches: day.sla_breaches });
    return svg(
      "g",
      { class: "day", "data-day": day.day },
      svg("title", {}, title),
      svg("rect", { class: "bar-closed", x, y: height - bottom - all, width: barWidth, height: all }),
      day.sla_breaches
        ? svg("rect", { class: "bar-breach", x, y: height - bottom - late, width: barWidth, height: late })
        : null,
    );
  });
  const ticks = [0, Math.ceil(most / 2), most].map((value) =>
    svg("text", { class: "axis", x: left - 6, y: height - bottom - scale(value) + 4, "text-anchor": "end" }, value),
  );
  const first = days[0]?.day;
  const last = days[days.length - 1]?.day;
  return svg(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-days-title" },
    svg("title", { id: "chart-days-title" }, t("dashboard.byDay")),
    svg("line", { class: "baseline", x1: left, x2: width, y1: height - bottom, y2: height - bottom }),
    ticks,
    bars,
    svg("text", { class: "axis", x: left, y: height - 6 }, date(first)),
    svg("text", { class: "axis", x: width, y: height - 6, "text-anchor": "end" }, date(last)),
  );
}

/** One horizontal bar split into shares, with a legend: who decided, or the outcomes of one reason. */
function shareBar(parts, total, id) {
  let x = 0;
  const segments = parts
    .filter((part) => part.value)
    .map((part) => {
      const width = total ? (part.value / total) * 100 : 0;
      const segment = svg(
        "rect",
        { class: `share share-${part.key}`, x: `${x}%`, y: 0, width: `${width}%`, height: 18 },
        svg("title", {}, `${part.label}: ${part.value}`),
      );
      x += width;
      return segment;
    });
  const described = parts.map((part) => `${part.label} ${part.value}`).join(t("common.listSeparator"));
  return svg(
    "svg",
    { class: "share-bar", id, width: "100%", height: 18, role: "img", "aria-label": described },
    svg("rect", { class: "share-empty", x: 0, y: 0, width: "100%", height: 18 }),
    segments,
  );
}

function legend(parts) {
  return h(
    "ul",
    { class: "legend" },
    parts.map((part) =>
      h(
        "li",
        {},
        h("span", { class: `swatch share-${part.key}` }),
        `${part.label} `,
        h("strong", {}, count(part.value)),
      ),
    ),
  );
}

function decidersPanel(figures) {
  const parts = DECIDERS.map((key) => ({ key, label: t(`decider.${key}`), value: figures.decided_by[key] || 0 }));
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  return panel("deciders", shareBar(parts, total, "chart-deciders"), legend(parts));
}

function outcomesPanel(figures) {
  const rows = figures.outcomes_by_reason;
  if (!rows.length) return panel("outcomes", h("p", { class: "muted" }, t("dashboard.noRulings")));
  const keys = OUTCOMES.map((key) => ({ key, label: label(key) }));
  return panel(
    "outcomes",
    h(
      "div",
      { class: "reason-rows", id: "chart-outcomes" },
      rows.map((row) =>
        h(
          "div",
          { class: "reason-row", dataset: { reason: row.reason } },
          h(
            "span",
            { class: "reason-name" },
            label(row.reason),
            " ",
            h("span", { class: "muted small" }, count(row.total)),
          ),
          shareBar(
            keys.map((key) => ({ ...key, value: row.outcomes[key.key] || 0 })),
            row.total,
          ),
        ),
      ),
    ),
    legend(
      keys.map((key) => ({ ...key, value: rows.reduce((sum, row) => sum + (row.outcomes[key.key] || 0), 0) })),
    ),
  );
}

function sellersPanel(figures) {
  if (!figures.top_sellers.length) return panel("sellers", h("p", { class: "muted" }, t("dashboard.noPoints")));
  const most = Math.max(...figures.top_sellers.map((seller) => seller.live_points), 1);
  return panel(
    "sellers",
    h(
      "table",
      { class: "lines-table", id: "top-sellers" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["seller", "storefront", "periodPoints", "livePoints"].map((key) =>
            h("th", { scope: "col" }, t(`column.${key}`)),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        figures.top_sellers.map((seller) =>
          h(
            "tr",
            {},
            h("td", {}, seller.seller_id),
            h("td", {}, seller.storefront_id),
            h("td", { class: "amount" }, count(seller.points)),
            h(
              "td",
              { class: "amount" },
              svg(
                "svg",
                { class: "points-bar", width: 80, height: 10, "aria-hidden": "true" },
                svg("rect", { class: "bar-points", x: 0, y: 0, width: (80 * seller.live_points) / most, height: 10 }),
              ),
              " ",
              count(seller.live_points),
            ),
          ),
        ),
      ),
    ),
  );
}

function periodPicker(main, context) {
  const picker = select(
    { id: "dashboard-days", name: "days" },
    PERIODS.map((days) => [String(days), t("dashboard.lastDays", { days })]),
    String(period),
  );
  picker.addEventListener("change", () => {
    period = Number(picker.value);
    renderDashboard(main, context);
  });
  return h("div", { class: "filter" }, h("label", { for: "dashboard-days" }, t("dashboard.period")), picker);
}

export async function renderDashboard(main, context) {
  const body = h("div", { class: "dashboard-body" }, loading());
  const head = h("div", { class: "queue-head" }, heading(t("dashboard.title")), periodPicker(main, context));
  replace(main, h("div", { class: "dashboard" }, head, body));
  focusHeading(main);
  try {
    const figures = await api.overview({ days: period });
    if (!context.isCurrent()) return;
    replace(
      body,
      tiles(figures),
      panel(
        "byDay",
        byDayChart(figures.by_day),
        legend([
          { key: "closed", label: t("dashboard.legendClosed"), value: figures.closed },
          { key: "breach", label: t("dashboard.legendBreach"), value: figures.sla_breaches },
        ]),
      ),
      h("div", { class: "dashboard-grid" }, decidersPanel(figures), outcomesPanel(figures)),
      sellersPanel(figures),
      h(
        "p",
        { class: "muted small" },
        t(figures.truncated ? "dashboard.truncated" : "dashboard.basis", {
          since: date(figures.since),
          until: date(figures.until),
          bound: count(figures.bound),
        }),
      ),
    );
  } catch (error) {
    if (error.isSignedOut) return context.signedOut(error);
    replace(body, problem(error, () => renderDashboard(main, context)));
  }
}
