// Building DOM nodes from data without ever parsing data as HTML.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "open"]);

/** h("a", {href, class, onclick}, "text", child, [more]) — text is always text, never markup. */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    setProp(node, key, value);
  }
  append(node, children);
  return node;
}

function setProp(node, key, value) {
  if (value === undefined || value === null || value === false) return;
  if (key === "class") node.className = value;
  else if (key === "dataset") Object.assign(node.dataset, value);
  else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
  else if (PROPERTIES.has(key)) node[key] = value;
  else node.setAttribute(key, value === true ? "" : String(value));
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element, built like h(): attributes set as they are, text children as text nodes, never markup. */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  return append(node, children);
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function fields(pairs, className = "fields") {
  const rows = pairs
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value)));
  return h("dl", { class: className }, rows);
}

/** A <select> whose options are [value, label] pairs. */
export function select(props, options, chosen) {
  return h(
    "select",
    props,
    options.map(([value, label]) => h("option", { value, selected: value === chosen }, label)),
  );
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
