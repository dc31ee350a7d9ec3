// Small text helpers the console's parts share.
export const FINAL = new Set(['completed', 'error', 'cancelled', 'interrupted']);
export const STATUSES = ['queued', 'running', 'input-required', 'completed', 'error', 'cancelled'];

/** "1 agent", "2 agents". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function short(id) {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export function duration(ms) {
  ms = Math.max(0, ms);
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.floor(ms / 1000) % 60} s`;
}

export function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** A value as readable text: strings as they are, the rest as JSON. */
export function show(value) {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(label, className, onClick, ariaLabel) {
  const b = el('button', className, label);
  b.type = 'button';
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}
