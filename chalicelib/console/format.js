// Money, times and labels as a reviewer reads them.

import { has, locale, t } from "./i18n.js";

/** Minor units per the currency's ISO 4217 exponent (JPY 0, CNY 2, BHD 3), as Intl knows it. */
export function fractionDigits(currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

export function money(minor, currency) {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat(locale(), {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** The amount field's text for a count of minor units: 12900 CNY -> "129.00", 4800 JPY -> "4800". */
export function majorText(minor, currency) {
  const digits = fractionDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/**
 * "129.5" CNY -> {minor: 12950}; text the API could not mean -> {problem}.
 * Range checks (positive, within the order total) are the API's, so its messages are the ones shown.
 */
export function parseMajor(text, currency) {
  const digits = fractionDigits(currency);
  const cleaned = String(text).trim().replace(/[\s,]/g, "");
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return { problem: t("amount.unreadable", { currency, example: majorText(10 ** digits * 12, currency) }) };
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > digits) {
    return { problem: digits ? t("amount.decimals", { currency, digits }) : t("amount.noDecimals", { currency }) };
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
  return { minor: sign ? -minor : minor };
}

export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

const UNITS = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** A date alone, for charts and filters: "3 Dec 2026", "2026年12月3日". */
export function date(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}

/** A count as the locale writes it: 1,234 / 1,234. */
export function count(value) {
  return new Intl.NumberFormat(locale()).format(value ?? 0);
}

/** A share 0..1 as a percentage: 0.5 -> "50%". */
export function percent(share) {
  if (share === null || share === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** A length of time in its largest sensible unit: 93600 s -> "1.1 days" / "1.1天". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const [unit, size] = UNITS.find(([, length]) => seconds >= length) || UNITS[UNITS.length - 1];
  return new Intl.NumberFormat(locale(), { style: "unit", unit, unitDisplay: "long", maximumFractionDigits: 1 }).format(
    seconds / size,
  );
}

/** "in 3 hours", "5 minutes ago". */
export function relative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const [unit, size] = UNITS.find(([, length]) => Math.abs(seconds) >= length) || UNITS[UNITS.length - 1];
  return new Intl.RelativeTimeFormat(locale(), { numeric: "auto" }).format(Math.round(seconds / size), unit);
}

/**
 * The SLA of a case's open window: breached once due_at passed, due soon in its last quarter
 * (a quarter of a 24 h SLA is 6 h; the same share holds under DEADLINE_SCALE).
 */
export function sla(waiting, now = Date.now()) {
  if (!waiting || !waiting.due_at) return null;
  const due = new Date(waiting.due_at).getTime();
  const opened = new Date(waiting.opened_at || waiting.due_at).getTime();
  const detail = t("due.detail", { when: relative(waiting.due_at, now) });
  if (now >= due) return { state: "breached", label: t("due.breached"), detail };
  if (due - now <= Math.max((due - opened) / 4, 0)) return { state: "due-soon", label: t("due.soon"), detail };
  return { state: "on-time", label: t("due.onTime"), detail };
}

/**
 * A fulfilment step's window: overdue once due_at passed; due soon once the party's reminder went out
 * (the window's remind_at), or in its last quarter when it has none; on time before that.
 */
export function stepDue(waiting, now = Date.now()) {
  if (!waiting || !waiting.due_at) return null;
  const due = new Date(waiting.due_at).getTime();
  const detail = t("due.detail", { when: relative(waiting.due_at, now) });
  if (now >= due) return { state: "overdue", label: t("due.overdue"), detail };
  const opened = new Date(waiting.opened_at || waiting.due_at).getTime();
  const soonFrom = waiting.remind_at ? new Date(waiting.remind_at).getTime() : due - Math.max((due - opened) / 4, 0);
  if (now >= soonFrom) return { state: "due-soon", label: t("due.soon"), detail };
  return { state: "on-time", label: t("due.onTime"), detail };
}

/**
 * The display name of a value the API sends (a status, reason, outcome, party, step, event ...):
 * "under_review" -> "Under review" / "审核中", from the catalogs' `enum.*` keys. A value the catalogs do not
 * know yet shows as itself, humanised, rather than as nothing.
 */
export function label(value) {
  if (value === null || value === undefined || value === "") return "";
  const key = `enum.${value}`;
  if (has(key)) return t(key);
  const text = String(value).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A value's name inside a sentence: lower case where the language has case ("the return receipt"). */
export function inline(value) {
  const text = label(value);
  return locale() === "en" ? text.toLowerCase() : text;
}

export function bytes(size) {
  if (!size && size !== 0) return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function shortId(id) {
  return id && id.length > 16 ? `${id.slice(0, 12)}…${id.slice(-4)}` : id;
}
