// The same /v1 API every client uses, with the reviewer's token and the case version.

import { t } from "./i18n.js";
import { token } from "./session.js";

// The console is served at <stage>/console, its modules at <stage>/console/*.js; the API at <stage>/v1.
const BASE = new URL("../v1/", import.meta.url);

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || t("api.answered", { status }));
    this.status = status;
    this.code = error.code || "error";
    this.details = Array.isArray(error.details) ? error.details : [];
  }

  get isStale() {
    return this.status === 409 && this.code === "stale_version";
  }

  get isSignedOut() {
    return this.status === 401;
  }
}

/** call("GET", "disputes?queue=review") or call("POST", `disputes/${id}/claim`, {body: {}, version}). */
export async function call(method, path, { body, version, signedIn = true } = {}) {
  const headers = { Accept: "application/json" };
  if (signedIn) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (version !== undefined && version !== null) headers["If-Match"] = String(version);
  let response;
  try {
    response = await fetch(new URL(path, BASE), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { error: { code: "network", message: t("api.unreachable", { message: error.message }) } });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  return search.toString();
}

export const api = {
  queue: (params) => call("GET", `disputes?${query(params)}`),
  dispute: (id) => call("GET", `disputes/${encodeURIComponent(id)}`),
  events: (id) => call("GET", `disputes/${encodeURIComponent(id)}/events`),
  evidence: (id) => call("GET", `disputes/${encodeURIComponent(id)}/evidence`),
  penalties: (sellerId, storefrontId) =>
    call("GET", `sellers/${encodeURIComponent(sellerId)}/penalties?${query({ storefront_id: storefrontId })}`),
  ledger: (sellerId, storefrontId) =>
    call("GET", `sellers/${encodeURIComponent(sellerId)}/ledger?${query({ storefront_id: storefrontId })}`),
  claim: (id, version) => call("POST", `disputes/${encodeURIComponent(id)}/claim`, { version }),
  requestInformation: (id, version, body) =>
    call("POST", `disputes/${encodeURIComponent(id)}/info-requests`, { body, version }),
  rule: (id, version, body) => call("POST", `disputes/${encodeURIComponent(id)}/ruling`, { body, version }),
  decideReceipt: (id, version, body) =>
    call("POST", `disputes/${encodeURIComponent(id)}/receipt-decision`, { body, version }),
  messages: (id, cursor) => call("GET", `disputes/${encodeURIComponent(id)}/messages?${query({ limit: 100, cursor })}`),
  postMessage: (id, body) => call("POST", `disputes/${encodeURIComponent(id)}/messages`, { body }),
  search: (params) => call("GET", `disputes/search?${query(params)}`),
  closed: (params) => call("GET", `disputes/closed?${query(params)}`),
  overview: (params) => call("GET", `reports/overview?${query(params)}`),
  devToken: (role) => call("POST", "dev/tokens", { body: { role }, signedIn: false }),
};
