// The reviewer's bearer token lives in sessionStorage only: gone with the tab, never in a URL.

const KEY = "disputes.console.token";
export const REVIEWER_ROLES = ["reviewer", "senior_reviewer"];

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value.trim());
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** The token's claims, for display only: the API verifies the signature on every call. */
export function claims(value = token()) {
  const payload = (value || "").split(".")[1];
  if (!payload) return null;
  try {
    const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function isExpired(claim, now = Date.now()) {
  return typeof claim?.exp === "number" && claim.exp * 1000 <= now;
}
