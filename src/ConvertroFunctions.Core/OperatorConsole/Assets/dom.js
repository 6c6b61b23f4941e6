// Small DOM helpers. Text from the API is only ever set as text (never parsed as HTML), so an
// event's contents cannot become markup.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Creates an element: `attrs` are attributes (a function value becomes an event listener), children
 * are nodes or text. A tag written `svg:rect` is an SVG element (in the SVG namespace).
 */
export function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      node.addEventListener(name, value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replaces a node's contents. */
export function show(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

export function byId(id) {
  return document.getElementById(id);
}

/** A table: headers, then rows of cells (a cell is text, a node, or an array of them). */
export function table(caption, headers, rows) {
  return el('table', {},
    caption ? el('caption', {}, caption) : null,
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))));
}

/** A description list of [term, value] pairs, leaving out empty values. */
export function facts(pairs) {
  const items = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return el('dl', { class: 'facts' }, items.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

/** An error as the API gave it: status and title, its detail, and each field's messages. */
export function errorBox(error) {
  const status = error.status ? `${error.status} ` : '';
  const fields = error.errors ? Object.entries(error.errors) : [];
  return el('div', { class: 'error', role: 'alert' },
    el('p', {}, el('strong', {}, `${status}${error.title || 'Error'}`)),
    error.detail ? el('p', { class: 'detail' }, error.detail) : null,
    fields.length ? el('ul', {}, fields.map(([field, messages]) => el('li', {}, `${field}: ${[].concat(messages).join(' ')}`))) : null);
}

/** Runs `work` with the button disabled (so a slow call is not sent twice), showing any error in `target`. */
export async function busy(button, target, work) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    show(target, errorBox(error));
  } finally {
    button.disabled = false;
  }
}

/**
 * An ISO time as "2026-03-01 10:00:05 UTC" (operators compare it with logs, which are in UTC), or to
 * the minute, "2026-03-01 10:00 UTC", with `toMinute` (an hour of the chart).
 */
export function time(iso, toMinute = false) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : `${date.toISOString().slice(0, toMinute ? 16 : 19).replace('T', ' ')} UTC`;
}

/** "a 3, b 1" from {"a":3,"b":1}; "" when empty. */
export function byReason(counts) {
  return Object.entries(counts || {}).map(([reason, n]) => `${reason} ${n}`).join(', ');
}
