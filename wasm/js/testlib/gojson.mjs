// Go's encoding/json, as far as the conformance runner needs it, on raw
// JSON text: the exact bytes of a value (json.RawMessage), json.Compact,
// json.Marshal of strings and of map[string]json.RawMessage, and the way
// json.Unmarshal matches object keys to struct fields. With these the
// JavaScript runner builds the Go runner's requests byte for byte.

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWS(s, i) {
  while (i < s.length && WS.has(s[i])) i++;
  return i;
}

function stringEnd(s, i) {
  // s[i] is the opening quote; returns the index after the closing one.
  for (i++; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i + 1;
  }
  throw new SyntaxError('unterminated string');
}

// valueEnd returns the index just after the JSON value starting at s[i].
function valueEnd(s, i) {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < s.length; i++) {
      const d = s[i];
      if (d === '"') i = stringEnd(s, i) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return i + 1;
      }
    }
    throw new SyntaxError('unterminated ' + c);
  }
  let j = i;
  while (j < s.length && !WS.has(s[j]) && s[j] !== ',' && s[j] !== ']' && s[j] !== '}') j++;
  if (j === i) throw new SyntaxError(`no value at ${i}`);
  return j;
}

/** The members of a JSON object's text, in order: [[key, rawValue], ...]. */
export function members(text) {
  JSON.parse(text); // valid JSON, or throw
  let i = skipWS(text, 0);
  if (text[i] !== '{') throw new TypeError(`not a JSON object: ${text.slice(0, 40)}`);
  const out = [];
  i = skipWS(text, i + 1);
  if (text[i] === '}') return out;
  for (;;) {
    const kEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, kEnd));
    i = skipWS(text, skipWS(text, kEnd) + 1); // past ':'
    const vEnd = valueEnd(text, i);
    out.push([key, text.slice(i, vEnd)]);
    i = skipWS(text, vEnd);
    if (text[i] === '}') return out;
    i = skipWS(text, i + 1); // past ','
  }
}

/** The elements of a JSON array's text, each as raw text. */
export function elements(text) {
  JSON.parse(text);
  let i = skipWS(text, 0);
  if (text[i] !== '[') throw new TypeError(`not a JSON array: ${text.slice(0, 40)}`);
  const out = [];
  i = skipWS(text, i + 1);
  if (text[i] === ']') return out;
  for (;;) {
    const vEnd = valueEnd(text, i);
    out.push(text.slice(i, vEnd));
    i = skipWS(text, vEnd);
    if (text[i] === ']') return out;
    i = skipWS(text, i + 1);
  }
}

/**
 * The raw value json.Unmarshal gives a struct field named `name`: the last
 * member whose key equals the name or folds to it (Go matches keys to
 * fields case-insensitively), or undefined.
 */
export function field(mems, name) {
  let out;
  const folded = name.toLowerCase();
  for (const [k, v] of mems) if (k === name || k.toLowerCase() === folded) out = v;
  return out;
}

const htmlEscapes = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * json.Compact (escapeHTML false) or the compaction json.Marshal applies
 * to a json.RawMessage (escapeHTML true: <, >, &, U+2028 and U+2029 written
 * as \u escapes).
 */
export function compact(raw, escapeHTML) {
  let out = '';
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === '\\') {
        out += c + raw[++i];
        continue;
      }
      if (c === '"') inString = false;
      out += escapeHTML && htmlEscapes[c] ? htmlEscapes[c] : c;
      continue;
    }
    if (WS.has(c)) continue;
    if (c === '"') inString = true;
    out += c;
  }
  return out;
}

/**
 * json.Marshal of a Go string: JSON.stringify's escapes plus Go's HTML-safe
 * ones. A lone surrogate (which Go's decoder turns into U+FFFD) is U+FFFD.
 */
export function goString(s) {
  const clean = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return JSON.stringify(clean).replace(/[<>&\u2028\u2029]/g, (c) => htmlEscapes[c]);
}

/** Go's string order (bytes of UTF-8, that is code points). */
export function goLess(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < x.length && i < y.length; i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** json.Marshal of a map[string]json.RawMessage: keys sorted, values compacted. */
export function marshalRawMap(map) {
  const keys = [...map.keys()].sort(goLess);
  return '{' + keys.map((k) => goString(k) + ':' + compact(map.get(k), true)).join(',') + '}';
}
