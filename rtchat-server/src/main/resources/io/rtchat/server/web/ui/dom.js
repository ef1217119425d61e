// DOM helpers. Everything a user can influence reaches the page through textContent or
// through setAttribute on an allow-listed attribute: this module never assigns innerHTML.

/**
 * Creates an element. `props` may hold: class, text, title, attrs (object), dataset (object),
 * on (object of event listeners). Children are nodes or strings (strings become text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text != null) node.textContent = String(props.text);
  if (props.title != null) node.title = String(props.title);
  for (const [k, v] of Object.entries(props.attrs || {})) {
    if (v === false || v == null) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, v] of Object.entries(props.dataset || {})) node.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.on || {})) node.addEventListener(k, v);
  for (const c of children) {
    if (c == null || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Small line icons drawn as SVG paths, so no icon font or emoji font is needed. */
const ICONS = {
  camera: 'M3 7h11a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1zm12 4 6-4v10l-6-4',
  cameraOff: 'M3 7h11a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1zm12 4 6-4v10l-6-4M2 3l20 18',
  close: 'M6 6l12 12M18 6 6 18',
  menu: 'M4 6h16M4 12h16M4 18h16',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 10v-2a5 5 0 0 1 5-5h4a5 5 0 0 1 5 5v2m1-18a4 4 0 0 1 0 8m6 10v-2a5 5 0 0 0-3-4.6',
  send: 'M3 11 21 3l-8 18-2-8-8-2z',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  chat: 'M4 5h16v11H9l-5 4V5z',
  speaker: 'M4 9h4l5-4v14l-5-4H4V9zm13 0a4 4 0 0 1 0 6',
  speakerOff: 'M4 9h4l5-4v14l-5-4H4V9zm12 1 5 5m0-5-5 5',
  eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zm10 3a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
};

export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name] || '');
  svg.append(path);
  return svg;
}

/** Accepts only http(s) URLs and site-relative paths; anything else (javascript:, data:) is dropped. */
export function safeUrl(value, base) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim(), base || location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// Elements the server's sanitized Markdown may contain and that we rebuild. Anything else is
// flattened to its text. Attributes are never copied except the few checked below.
const KEEP = new Set(['P', 'BR', 'EM', 'STRONG', 'B', 'I', 'U', 'DEL', 'S', 'CODE', 'PRE',
  'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A', 'SPAN', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR',
  'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'IMG']);

/**
 * Turns the server's message HTML into DOM nodes without ever handing the string to the live
 * document: it is parsed by DOMParser into an inert document (no scripts run, no images load),
 * then only allow-listed elements are re-created with createElement and their text copied with
 * textContent. Links keep an http(s) href; images keep only a data:image/ src (shared photos).
 */
export function renderServerHtml(html) {
  const frag = document.createDocumentFragment();
  if (typeof html !== 'string' || html === '') return frag;
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  copyChildren(parsed.body, frag);
  return frag;
}

function copyChildren(from, to) {
  for (const child of from.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(child.nodeValue));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const tag = child.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'TEMPLATE' || tag === 'NOSCRIPT') continue;
      if (tag === 'IFRAME') {
        const href = safeUrl(child.getAttribute('src'));
        if (href) to.append(el('a', { attrs: { href, target: '_blank', rel: 'noopener noreferrer' }, text: href }));
        continue;
      }
      if (!KEEP.has(tag)) {
        copyChildren(child, to);
        continue;
      }
      if (tag === 'IMG') {
        const src = child.getAttribute('src') || '';
        if (/^data:image\/(png|jpeg|gif);base64,[A-Za-z0-9+/=]+$/.test(src)) {
          const img = el('img', { class: 'msg-image', attrs: { src, alt: 'shared photo', loading: 'lazy' } });
          to.append(img);
        }
        continue;
      }
      const copy = document.createElement(tag.toLowerCase());
      if (tag === 'A') {
        const href = safeUrl(child.getAttribute('href'));
        if (href) {
          copy.setAttribute('href', href);
          copy.setAttribute('target', '_blank');
          copy.setAttribute('rel', 'noopener noreferrer nofollow');
        }
      }
      copyChildren(child, copy);
      to.append(copy);
    }
  }
}

/** Plain text of server HTML (for previews, notifications and string matching). */
export function serverHtmlToText(html) {
  if (typeof html !== 'string' || html === '') return '';
  return new DOMParser().parseFromString(html, 'text/html').body.textContent || '';
}
