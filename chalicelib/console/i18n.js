// The console's language: zh-CN or en, chosen from the browser's preference and remembered once switched.
// Every string on the page comes from t(key, params); the catalogs are strings-en.js and strings-zh-CN.js.

import en from "./strings-en.js";
import zhCN from "./strings-zh-CN.js";

const KEY = "disputes.console.locale";
export const LOCALES = { en, "zh-CN": zhCN };

function preferred() {
  const stored = localStorage.getItem(KEY);
  if (stored && stored in LOCALES) return stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  return wanted.some((tag) => tag.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

let current = preferred();

/** The BCP 47 tag every Intl formatter on the page uses. */
export function locale() {
  return current;
}

export function setLocale(tag) {
  if (!(tag in LOCALES)) return;
  current = tag;
  localStorage.setItem(KEY, tag);
  document.documentElement.lang = tag;
}

/** Whether the catalogs know `key` (labels of API values fall back to the value itself). */
export function has(key) {
  return key in LOCALES.en;
}

/** The catalog's text for key, with {name} placeholders filled from params; a missing key shows as itself. */
export function t(key, params = {}) {
  const text = LOCALES[current][key] ?? LOCALES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

document.documentElement.lang = current;
