// The cases of the listing the reviewer last looked at, in its order, so j/k step through them from a case too.

const KEY = "disputes.console.listing";

export function remember(ids) {
  sessionStorage.setItem(KEY, JSON.stringify(ids));
}

function remembered() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

/** The case `step` places after (1) or before (-1) `id` in the last listing; null at either end. */
export function neighbour(id, step) {
  const ids = remembered();
  const at = ids.indexOf(id);
  if (at < 0) return ids.length ? ids[step > 0 ? 0 : ids.length - 1] : null;
  return ids[at + step] ?? null;
}
