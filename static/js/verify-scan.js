/* The field auditor's scanner: checks a document's signed QR code on this device.
 *
 * Trust comes from one place: the portal's trust root, whose public keys the page pins
 * (data-trust-roots). The root signs the trust list (every issuing entity, its names and its keys)
 * and the status lists (IETF Token Status List: a few bits per document, revoked or replaced or
 * changed since issue). The scanner verifies both with WebCrypto against the pinned keys, keeps
 * them in localStorage, and trusts a document's key only when a verified trust list names it under
 * the document's issuer. Online, the live status comes from /v/<token>/json and takes precedence.
 * Tokens signed before the status lists existed have no ``status`` claim; for them the older list
 * by token digest (/verify/status.json) still answers offline. No libraries, no inline code
 * (strict CSP).
 */
(() => {
  "use strict";

  const TRUST_STORE = "govportal.verify.trust";
  const LISTS_STORE = "govportal.verify.status-lists";
  const STATUS_STORE = "govportal.verify.status";
  const OLD_JWKS_STORE = "govportal.verify.jwks"; // before the trust list: no longer used
  const TRUST_TYP = "trustlist+jwt";
  const STATUS_TYP = "statuslist+jwt";
  const STATUS_PATH = /^\/verify\/status-lists\/\d+$/;
  // Status list values (verification.trust): 0 valid, 1 revoked, 3 replaced, 0x0B changed since issue.
  const LISTED = { 0: "valid", 1: "revoked", 3: "superseded", 11: "changed" };
  const B64URL = /^[A-Za-z0-9_-]*$/;
  const TOKEN = "[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+";
  const TOKEN_IN_LINK = new RegExp(`/v/(${TOKEN})`);
  const BARE_TOKEN = new RegExp(`^${TOKEN}$`);

  // --- pure functions (exposed for tests) ------------------------------------------------------

  /** The token from a scanned or pasted link ("…/v/<token>…") or a bare token; null when there is none. */
  function parseToken(text) {
    const value = String(text || "").trim();
    const inLink = TOKEN_IN_LINK.exec(value);
    if (inLink) return inLink[1];
    return BARE_TOKEN.test(value) ? value : null;
  }

  function b64urlDecode(text) {
    if (!B64URL.test(text) || text.length % 4 === 1) throw new Error("not base64url");
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function decodeJson(part) {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64urlDecode(part)));
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value;
  }

  /** A compact JWS taken apart (nothing checked yet); null when it is not one. */
  function splitJws(token) {
    const parts = String(token || "").split(".");
    if (parts.length !== 3 || String(token).length > 4096 * 1024) return null;
    try {
      return { parts, header: decodeJson(parts[0]), payload: decodeJson(parts[1]), signature: b64urlDecode(parts[2]) };
    } catch {
      return null;
    }
  }

  /** Whether ``jwk`` (an EC P-256 public key) signed ``jws`` with ES256; null when the key is not one. */
  async function signatureValid(jws, jwk) {
    if (!jwk || jwk.kty !== "EC" || jwk.crv !== "P-256") return null;
    if (jws.signature.length !== 64) return false;
    let key;
    try {
      key = await crypto.subtle.importKey(
        "jwk",
        { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
    } catch {
      return null; // key material that does not import
    }
    const data = new TextEncoder().encode(`${jws.parts[0]}.${jws.parts[1]}`); // base64url is ASCII
    try {
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, jws.signature, data);
    } catch {
      return false;
    }
  }

  /** A list the trust root signed (the trust list or a status list): {ok, reason, payload}.
   * Refused when its type is not ``typ``, its key is not one of the pinned ``roots``, its signature
   * fails, or it does not say when it was made and until when it holds. Never throws. */
  async function verifySignedList(jwt, roots, typ) {
    const refused = (reason) => ({ ok: false, reason, payload: null });
    const jws = splitJws(jwt);
    if (!jws) return refused("malformed");
    if (jws.header.alg !== "ES256" || jws.header.typ !== typ) return refused("wrong_type");
    const root = (Array.isArray(roots) ? roots : []).find((key) => key && key.kid === jws.header.kid);
    if (!root) return refused("not_pinned");
    if (!(await signatureValid(jws, root))) return refused("bad_signature");
    const { payload } = jws;
    if (typeof payload.iat !== "number" || typeof payload.exp !== "number") return refused("malformed");
    if (typ === TRUST_TYP && !(Array.isArray(payload.issuers) && Array.isArray(payload.revoked_keys))) {
      return refused("malformed");
    }
    if (typ === STATUS_TYP) {
      const list = payload.status_list;
      if (!list || ![1, 2, 4, 8].includes(list.bits) || typeof list.lst !== "string") return refused("malformed");
    }
    return { ok: true, reason: "", payload };
  }

  /** The issuer and key of ``kid`` in a verified trust list; null when the list does not name it. */
  function findKey(trust, kid) {
    for (const issuer of trust && Array.isArray(trust.issuers) ? trust.issuers : []) {
      const key = (issuer && Array.isArray(issuer.keys) ? issuer.keys : []).find((entry) => entry && entry.kid === kid);
      if (key) return { issuer, key };
    }
    return null;
  }

  /** Check a document's compact JWS against a verified trust list's payload:
   * {genuine, reason, payload, issuer}. Never throws.
   *
   * A key the list does not name is refused, whatever the token says; a revoked key is refused
   * even when the list still held an older copy of it. A retired key verifies what is dated up to
   * its retirement (``until``). Its ``nbf`` (when it was made) is not compared with the token's
   * ``iat``: ``iat`` is the document's date of issue, and documents imported from the old
   * registers carry their original dates, years before the key that signed them at import. */
  async function verifyToken(token, trust) {
    const result = (genuine, reason, payload = null, issuer = null) => ({ genuine, reason, payload, issuer });
    const jws = splitJws(token);
    if (!jws || String(token).length > 4096) return result(false, "malformed");
    const { header, payload } = jws;
    if (header.alg !== "ES256" || typeof header.kid !== "string" || !header.kid) {
      return result(false, "malformed", payload);
    }
    const revoked = trust && Array.isArray(trust.revoked_keys) ? trust.revoked_keys : [];
    if (revoked.some((entry) => entry && entry.kid === header.kid)) return result(false, "revoked_key", payload);
    const found = findKey(trust, header.kid);
    if (!found) return result(false, "unknown_key", payload);
    const valid = await signatureValid(jws, found.key);
    if (valid === null) return result(false, "unknown_key", payload);
    if (!valid) return result(false, "bad_signature", payload);
    if (payload.iss !== found.issuer.iss) return result(false, "wrong_issuer", payload);
    const until = found.key.until;
    if (until !== null && until !== undefined && !(Number(payload.iat) <= Number(until))) {
      return result(false, "retired_key", payload);
    }
    return result(true, "", payload, found.issuer);
  }

  /** The status at ``index`` of a decompressed list, ``bits`` a document, index 0 in the lowest
   * bits of the first byte; null beyond the list. */
  function statusAt(bytes, bits, index) {
    const perByte = 8 / bits;
    const byte = Math.floor(index / perByte);
    if (!Number.isInteger(index) || index < 0 || byte >= bytes.length) return null;
    return (bytes[byte] >> ((index % perByte) * bits)) & ((1 << bits) - 1);
  }

  /** A status list's ``lst``: base64url of zlib-format DEFLATE. */
  async function inflate(lst) {
    const stream = new Blob([b64urlDecode(lst)]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  window.govportalVerify = { parseToken, verifyToken, verifySignedList, statusAt, inflate };

  // --- the page --------------------------------------------------------------------------------

  const root = document.getElementById("scan");
  if (!root) return;
  const canVerify = Boolean(window.crypto && crypto.subtle && window.TextDecoder && window.fetch);
  if (!canVerify) return; // the no-JavaScript instructions stay on screen

  const $ = (selector) => root.querySelector(selector);
  const strings = {};
  const kinds = {};
  const months = [];
  const stringsTemplate = document.getElementById("scan-strings");
  if (stringsTemplate) {
    stringsTemplate.content.querySelectorAll("[data-msg]").forEach((el) => {
      strings[el.dataset.msg] = el.textContent.trim();
    });
    stringsTemplate.content.querySelectorAll("[data-kind]").forEach((el) => {
      kinds[el.dataset.kind] = el.textContent.trim();
    });
    stringsTemplate.content.querySelectorAll("[data-month]").forEach((el) => months.push(el.textContent.trim()));
  }
  const t = (key, values = {}) =>
    (strings[key] || key).replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
  /** Like t(), as DOM nodes: each value isolated in a <bdi> so that dates and codes do not flip. */
  function fill(key, values = {}) {
    const fragment = document.createDocumentFragment();
    (strings[key] || key).split(/(\{\w+\})/).forEach((piece) => {
      const name = piece.slice(1, -1);
      if (/^\{\w+\}$/.test(piece) && name in values) {
        const bdi = document.createElement("bdi");
        bdi.textContent = values[name];
        fragment.append(bdi);
      } else if (piece) {
        fragment.append(piece);
      }
    });
    return fragment;
  }

  const timeZone = root.dataset.timeZone || undefined;
  const arabicDigits = root.dataset.digits === "arab";
  const toDigits = (text) => (arabicDigits ? text.replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : text);

  /** "22 تشرين الثاني 2026" / "22 November 2026", in the portal's time zone; with the time if asked. */
  function formatDate(date, withTime = false) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "";
    const options = { year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    let parts;
    try {
      parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).formatToParts(date);
    } catch {
      parts = new Intl.DateTimeFormat("en-GB", options).formatToParts(date);
    }
    const part = (type) => (parts.find((p) => p.type === type) || {}).value || "";
    const month = months[Number(part("month")) - 1] || part("month");
    let text = `${Number(part("day"))} ${month} ${part("year")}`;
    if (withTime) text += `${document.documentElement.dir === "rtl" ? "،" : ","} ${part("hour")}:${part("minute")}`;
    return toDigits(text);
  }

  const seconds = (value) => new Date(Number(value) * 1000);
  const expired = (payload) => Boolean(payload) && Date.now() > Number(payload.exp) * 1000;

  // --- the lists this device keeps --------------------------------------------------------------
  //
  // Each is kept as the signed JWT it came as, with when it was fetched, and verified again against
  // the pinned roots when the page loads: a copy signed by a root since revoked stops counting.

  let roots = [];
  try {
    roots = JSON.parse(root.dataset.trustRoots || "[]");
  } catch {
    roots = [];
  }
  const statusListPrefix = String(root.dataset.statusListsUrl || "").replace(/\d+$/, "");
  const statusListCount = Math.max(Number(root.dataset.statusListCount) || 0, 0);

  let trust = null; // {payload, savedAt}: the verified trust list
  let trustRefused = false; // the last one received failed its check
  const lists = new Map(); // path → {payload, savedAt, bytes}: verified status lists
  let statusList = null; // the older list by token digest, for tokens without a status claim
  let statusSavedAt = null;
  const keysStatus = $("[data-scan-keys-status]");
  const listsStatus = $("[data-scan-lists-status]");
  const keysButton = $("[data-scan-keys-refresh]");

  function readStore(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch {
      return null; // a damaged copy is as good as none
    }
  }

  function writeStore(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* storage full or disabled: the copy in memory still works for this visit */
    }
  }

  function storeLists() {
    const kept = {};
    for (const [path, held] of lists) kept[path] = { token: held.token, savedAt: held.savedAt.toISOString() };
    writeStore(LISTS_STORE, kept);
  }

  const isStatusList = (data) => Boolean(data && data.issuers && data.documents && typeof data.documents === "object");

  async function loadStored() {
    try {
      localStorage.removeItem(OLD_JWKS_STORE);
    } catch {
      /* storage disabled */
    }
    const kept = readStore(TRUST_STORE);
    if (kept && typeof kept.token === "string") {
      const verdict = await verifySignedList(kept.token, roots, TRUST_TYP);
      if (verdict.ok) trust = { token: kept.token, payload: verdict.payload, savedAt: new Date(kept.savedAt) };
    }
    const keptLists = readStore(LISTS_STORE) || {};
    for (const [path, entry] of Object.entries(keptLists)) {
      if (!STATUS_PATH.test(path) || !entry || typeof entry.token !== "string") continue;
      const verdict = await verifySignedList(entry.token, roots, STATUS_TYP);
      if (verdict.ok && listNamed(verdict.payload, path)) {
        lists.set(path, { token: entry.token, payload: verdict.payload, savedAt: new Date(entry.savedAt) });
      }
    }
    const old = readStore(STATUS_STORE);
    if (old && isStatusList(old.list)) [statusList, statusSavedAt] = [old.list, new Date(old.savedAt)];
  }

  /** Whether a status list is the one at ``path``: its ``sub`` names it (on whatever host). */
  function listNamed(payload, path) {
    try {
      return new URL(String(payload.sub), window.location.origin).pathname === path;
    } catch {
      return false;
    }
  }

  /** The text of a signed list; null offline, "" when there is none (404), throws on other errors. */
  async function fetchText(url) {
    let response;
    try {
      response = await fetch(url, { cache: "no-cache" });
    } catch {
      return null;
    }
    if (response.status === 404) return "";
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.text()).trim();
  }

  /** Fetch and verify the trust list: "ok", "offline" or "refused" (its check failed). A newer
   * copy replaces the one kept; a refused one never does. */
  async function refreshTrust() {
    let text;
    try {
      text = await fetchText(root.dataset.trustListUrl);
    } catch {
      return "offline"; // the server could not answer: as good as no connection
    }
    if (text === null) return "offline";
    const verdict = await verifySignedList(text, roots, TRUST_TYP);
    trustRefused = !verdict.ok;
    if (!verdict.ok) return "refused";
    if (!trust || verdict.payload.iat >= trust.payload.iat) {
      trust = { token: text, payload: verdict.payload, savedAt: new Date() };
      writeStore(TRUST_STORE, { token: text, savedAt: trust.savedAt.toISOString() });
    }
    return "ok";
  }

  /** Fetch and verify the status list at ``path``; true when this device now holds a fresh one. */
  async function refreshStatusList(path) {
    let text;
    try {
      text = await fetchText(path);
    } catch {
      return false;
    }
    if (!text) return false;
    const verdict = await verifySignedList(text, roots, STATUS_TYP);
    if (!verdict.ok || !listNamed(verdict.payload, path)) return false;
    const held = lists.get(path);
    if (!held || verdict.payload.iat >= held.payload.iat) {
      lists.set(path, { token: text, payload: verdict.payload, savedAt: new Date() });
      storeLists();
    }
    return true;
  }

  /** The older list by token digest, for tokens signed before the status lists existed. */
  async function refreshOldStatusList() {
    try {
      const response = await fetch(root.dataset.statusListUrl, { cache: "no-cache", headers: { Accept: "application/json" } });
      const fromCache = response.headers.get("X-Govportal-From-Cache"); // the service worker's copy
      if (!response.ok) return;
      const data = await response.json();
      if (!isStatusList(data) || (fromCache && statusList)) return;
      [statusList, statusSavedAt] = [data, fromCache ? new Date(fromCache) : new Date()];
      writeStore(STATUS_STORE, { savedAt: statusSavedAt.toISOString(), list: statusList });
    } catch {
      /* offline or refused: the stored copy (if any) stays in use */
    }
  }

  /** Every status list in use (the page says how many there are), and any this device kept. */
  async function refreshStatusLists() {
    const paths = new Set(lists.keys());
    for (let number = 0; number < statusListCount; number += 1) paths.add(`${statusListPrefix}${number}`);
    for (const path of paths) {
      if (!(await refreshStatusList(path)) && !navigator.onLine) break;
    }
  }

  function showKeysStatus(outcome) {
    const line = [];
    if (trust && expired(trust.payload)) {
      line.push(tag("amber", t("list_expired")), " ", fill("keys_expired", { date: formatDate(seconds(trust.payload.exp), true) }));
    } else if (trust) {
      const date = formatDate(seconds(trust.payload.iat), true);
      const key = { offline: "keys_offline", refused: "keys_refused" }[outcome] || "keys_updated";
      line.push(fill(key, { date }));
    } else {
      line.push(t(outcome === "refused" ? "keys_refused_none" : "keys_missing"));
    }
    keysStatus.replaceChildren(...line);

    const held = [...lists.values()];
    if (!held.length) {
      listsStatus.textContent = t("lists_missing");
      return;
    }
    // The oldest copy says how far this device's register can be trusted.
    const oldest = held.reduce((a, b) => (a.payload.iat <= b.payload.iat ? a : b)).payload;
    if (held.some((entry) => expired(entry.payload))) {
      listsStatus.replaceChildren(tag("amber", t("list_expired")), " ", fill("lists_expired", { date: formatDate(seconds(oldest.exp), true) }));
    } else {
      listsStatus.replaceChildren(fill("lists_updated", { date: formatDate(seconds(oldest.iat), true) }));
    }
  }

  let refreshing = null;

  /** Update the trust list and the status lists; true when a verified trust list came in just now. */
  function refreshKeys() {
    if (refreshing) return refreshing;
    keysButton.disabled = true;
    keysStatus.textContent = t("keys_updating");
    keysStatus.setAttribute("aria-busy", "true");
    refreshing = (async () => {
      let outcome = "offline";
      try {
        const oldList = refreshOldStatusList();
        outcome = await refreshTrust();
        await refreshStatusLists();
        await oldList;
      } finally {
        showKeysStatus(outcome);
        keysStatus.setAttribute("aria-busy", "false");
        keysButton.disabled = false;
        refreshing = null;
      }
      return outcome === "ok";
    })();
    return refreshing;
  }

  // --- results --------------------------------------------------------------------------------

  const resultBox = $("[data-scan-result]");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The big answer, as on the server's result page: ✓ or ✗ (or !) with words, never colour alone. */
  function panel(tone, mark, title, line) {
    const box = el("div", `panel panel--${tone}`);
    const heading = el("h2", "panel__title");
    const markNode = el("span", "panel__mark", mark);
    markNode.setAttribute("aria-hidden", "true");
    heading.append(markNode, " ", el("span", "", title));
    box.append(heading);
    if (line) {
      const paragraph = el("p");
      paragraph.append(line); // text, or nodes from fill()
      box.append(paragraph);
    }
    return box;
  }

  function show(...nodes) {
    resultBox.replaceChildren(...nodes);
    resultBox.scrollIntoView({ block: "nearest" });
  }

  /** Not an answer about the document: no code found, no keys yet, camera refused. */
  function showMessage(key) {
    show(panel("neutral", "!", t("cannot_check"), t(key)));
  }

  function showNotGenuine(reasonText) {
    show(panel("not-genuine", "✗", t("not_genuine"), reasonText), el("p", "", t("do_not_rely")));
  }

  /** A row of the details list; ``value`` is text or nodes. */
  function summaryRow(list, label, value) {
    const row = el("div", "summary-list__row");
    const dd = el("dd");
    dd.append(value);
    row.append(el("dt", "", label), dd);
    list.append(row);
  }

  /** A code (an issuer's code: "ltr") or a serial (its own direction: "auto", since a letter's
   * number follows its entity's format) isolated inside Arabic text. */
  function ltr(value, direction = "ltr") {
    const node = el("bdi", "code", value);
    node.dir = direction;
    return node;
  }

  function tag(tone, text) {
    return el("strong", `tag tag--${tone}`, text);
  }

  /** The words of ``byLanguage`` ({ar, ckb, en}) for this page's language; the Arabic where the
   * stored copy has none in it (a list kept from before there were Kurdish names). */
  function inLanguage(byLanguage) {
    if (!byLanguage || typeof byLanguage !== "object") return byLanguage;
    return root.dataset.lang in byLanguage ? byLanguage[root.dataset.lang] : byLanguage.ar;
  }

  /** The issuer's name in the page's language: from the live answer, else the trust list (the
   * Arabic name where an entity has none in this language). */
  function issuerName(issuer, live) {
    if (live && live.issuer) return String(live.issuer);
    const names = issuer && issuer.name && typeof issuer.name === "object" ? issuer.name : {};
    return String(names[root.dataset.lang] || names.ar || "");
  }

  async function tokenDigest(token) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /** The path of the status list a token names, on this scanner's own origin; null when it names none. */
  function statusListPath(payload) {
    const claim = payload.status && payload.status.status_list;
    if (!claim || typeof claim !== "object" || !Number.isInteger(claim.idx)) return null;
    try {
      const path = new URL(String(claim.uri), window.location.origin).pathname;
      return STATUS_PATH.test(path) ? path : null;
    } catch {
      return null;
    }
  }

  async function listBytes(held) {
    if (!held.bytes) held.bytes = await inflate(held.payload.status_list.lst);
    return held.bytes;
  }

  /** What this device's copy of the token's status list says: an answer shaped like the live one,
   * marked ``listedAt`` (the list's date: what it says holds on or before it) and ``expired``;
   * null when this device holds no such list. */
  async function statusFromList(payload) {
    const path = statusListPath(payload);
    // A browser that cannot decompress the lists (before 2023) says it could not check the status.
    if (!path || !window.DecompressionStream) return null;
    if (navigator.onLine) await refreshStatusList(path); // the live answer failed: the list may not
    const held = lists.get(path);
    if (!held) return null;
    let value = null;
    try {
      value = statusAt(await listBytes(held), held.payload.status_list.bits, payload.status.status_list.idx);
    } catch {
      value = null; // a list that does not decompress says nothing
    }
    const status = LISTED[value] || "unknown";
    return {
      status: status === "changed" ? "valid" : status,
      changed: status === "changed",
      unknown: status === "unknown",
      notes: [],
      listed: true,
      listedAt: seconds(held.payload.iat),
      expired: expired(held.payload),
      expiresAt: seconds(held.payload.exp),
    };
  }

  /** What the older list by token digest says of a token (tokens with no status claim); valid when
   * the list does not name it; null when this device has no such list. */
  async function statusFromOldList(token) {
    if (!statusList) return null;
    const entry = statusList.documents[await tokenDigest(token)];
    if (!entry || typeof entry !== "object") return { status: "valid", changed: false, notes: [], listed: true };
    const notes = inLanguage(entry.notes) || [];
    return {
      status: String(entry.status || ""),
      revoked_at: entry.revoked_at,
      revoked_reason: inLanguage(entry.reason) || "",
      replacement_serial: entry.replacement || "",
      changed: entry.status === "valid" && notes.length > 0,
      notes,
      listed: true,
    };
  }

  /** The answer about a document whose signature is genuine, its panel's colour the verdict:
   * green when valid, red when revoked or replaced (never a green panel with a small red tag),
   * amber when changed since issue, or when this device's copies are too old to say it is valid.
   * live: the /v/<token>/json answer, or what a list on this device says (``listed``); null
   * (offline without a list) or "failed" when nothing is known of its status. */
  function showGenuine(payload, issuer, live) {
    const known = Boolean(live && typeof live === "object");
    const current = known ? live.status : "";
    const changed = known && Boolean(live.changed);
    const notes = known && Array.isArray(live.notes) ? live.notes : [];
    const listedAt = known ? live.listedAt : null; // from a status list: its date
    const outOfDate = known && live.listed && (Boolean(live.expired) || expired(trust && trust.payload));
    const code = String(payload.iss || "");
    const name = issuerName(issuer, known ? live : null);
    const signedBy = () => fill("signed_by", { entity: name || code });

    let box;
    const status = el("p", "status-line");
    if (current === "revoked") {
      const revokedOn = listedAt
        ? fill("status_revoked_listed", { date: formatDate(listedAt) })
        : fill("status_revoked_text", { date: formatDate(new Date(live.revoked_at)), reason: live.revoked_reason || "—" });
      box = panel("not-genuine", "✗", t("revoked_title"), revokedOn);
      status.append(tag("red", t("status_revoked")), el("span", "", t("status_not_valid_text")));
    } else if (current === "superseded") {
      let line;
      if (listedAt) {
        line = fill("status_superseded_listed", { date: formatDate(listedAt) });
      } else {
        line = el("span", "", `${t("status_superseded_text")} `);
        if (live.replacement_serial) line.append(ltr(String(live.replacement_serial), "auto"));
      }
      box = panel("not-genuine", "✗", t("superseded_title"), line);
      status.append(tag("red", t("status_superseded")), el("span", "", t("status_not_valid_text")));
      if (live.replacement) {
        const link = el("a", "", t("see_replacement"));
        link.href = live.replacement;
        status.append(link);
      }
    } else if (changed) {
      // Still valid but changed since issue (e.g. partly refunded): amber, never the plain green "valid".
      box = panel("changed", "!", t("changed_title"), t(listedAt ? "changed_listed" : "changed_line"));
      status.append(tag("amber", t("status_changed")));
    } else if (known && (live.unknown || (current === "valid" && outOfDate))) {
      // Too old a copy, or a status this page does not know: never claim it is valid.
      const expiredOn = live.expired ? live.expiresAt : seconds(trust.payload.exp);
      const line = live.unknown ? t("status_unknown_text") : fill("status_expired_text", { date: formatDate(expiredOn, true) });
      box = panel("changed", "!", t("unconfirmed_title"), line);
      status.append(tag("amber", t("status_unconfirmed")));
    } else if (known && current === "valid") {
      box = panel("genuine", "✓", t(live.listed ? "genuine" : "genuine_valid"), signedBy());
      const text = el("span");
      if (live.listed) text.append(fill("status_listed_text", { date: formatDate(listedAt || statusSavedAt, true) }));
      else text.textContent = t("status_valid_text");
      status.append(tag("green", t("status_valid")), text);
    } else {
      box = panel("genuine", "✓", t("genuine"), live === "failed" ? signedBy() : t("offline_line"));
      status.append(tag("grey", t("status_offline")), el("span", "", t(live === "failed" ? "status_failed_text" : "status_offline_text")));
    }
    const noteList = el("ul", "plain-list status-notes");
    for (const note of notes) noteList.append(el("li", "", String(note)));

    const list = el("dl", "summary-list");
    const issuerValue = document.createDocumentFragment();
    if (name) issuerValue.append(name, " ");
    issuerValue.append(ltr(code));
    summaryRow(list, t("label_issuer"), issuerValue);
    summaryRow(list, t("label_kind"), kinds[payload.kind] || String(payload.kind || ""));
    summaryRow(list, t("label_serial"), ltr(String(payload.sn || ""), "auto"));
    summaryRow(list, t("label_issued"), formatDate(seconds(payload.iat)));
    // Online, the register's details (amounts, dates, masked names), as the /v/ page shows them;
    // without them, the holder's masked name the token carries.
    const details = known && Array.isArray(live.details) ? live.details : [];
    if (!details.length && payload.hn) summaryRow(list, t("label_holder"), el("bdi", "", String(payload.hn)));
    for (const row of details) {
      if (Array.isArray(row) && row.length === 2) summaryRow(list, String(row[0]), el("bdi", "", String(row[1])));
    }

    const parts = [box, el("h3", "", t("current_status")), status];
    if (notes.length) parts.push(noteList);
    show(...parts, el("h3", "", t("document_details")), list);
  }

  async function liveStatus(token) {
    if (!navigator.onLine) return null;
    try {
      const url = root.dataset.statusUrl.replace("TOKEN", encodeURIComponent(token));
      const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) return "failed";
      return await response.json();
    } catch {
      return navigator.onLine ? "failed" : null;
    }
  }

  let checking = 0;
  let ready = null; // the stored copies, verified

  async function check(text) {
    const token = parseToken(text);
    if (!token) {
      showMessage("not_a_link");
      return;
    }
    const run = ++checking;
    resultBox.replaceChildren(el("p", "scan__checking", t("checking")));
    await ready;
    if (!trust) await refreshKeys(); // the one under way, if any
    if (!trust) {
      if (run === checking) showMessage(trustRefused ? "trust_refused" : "no_keys");
      return;
    }
    let verdict = await verifyToken(token, trust.payload);
    // A key made since this device's list was fetched: fetch it again once before saying no.
    if (!verdict.genuine && verdict.reason === "unknown_key" && navigator.onLine && (await refreshKeys())) {
      verdict = await verifyToken(token, trust.payload);
    }
    if (run !== checking) return;
    if (!verdict.genuine) {
      showNotGenuine(t(verdict.reason));
      return;
    }
    let live = await liveStatus(token);
    // No answer from the register (offline, or it failed): what this device's copies say.
    if (!live || typeof live !== "object") {
      const listed = verdict.payload.status ? await statusFromList(verdict.payload) : await statusFromOldList(token);
      live = listed || live;
    }
    if (run !== checking) return;
    if (live && typeof live === "object" && live.genuine === false) {
      showNotGenuine(live.reason || t("malformed")); // the register knows better (e.g. not registered)
      return;
    }
    showGenuine(verdict.payload, verdict.issuer, live);
  }

  // --- paste, photo, camera ---------------------------------------------------------------------

  const input = $("[data-scan-input]");
  $("[data-scan-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    check(input.value);
  });
  keysButton.addEventListener("click", () => refreshKeys());

  const hasDetector = "BarcodeDetector" in window;
  let detector = null;

  async function getDetector() {
    if (detector) return detector;
    if (!hasDetector) return null;
    try {
      if (BarcodeDetector.getSupportedFormats) {
        const formats = await BarcodeDetector.getSupportedFormats();
        if (!formats.includes("qr_code")) return null;
      }
      detector = new BarcodeDetector({ formats: ["qr_code"] });
    } catch {
      detector = null;
    }
    return detector;
  }

  /** The first detected code that carries one of our tokens, else the first code at all. */
  function pickCode(codes) {
    const values = codes.map((code) => code.rawValue || "");
    return values.find((value) => parseToken(value)) || values[0];
  }

  const photo = $("[data-scan-photo]");
  photo.addEventListener("change", async () => {
    const file = photo.files && photo.files[0];
    if (!file) return;
    const found = await getDetector();
    if (!found) return;
    try {
      const bitmap = await createImageBitmap(file);
      const codes = await found.detect(bitmap);
      if (bitmap.close) bitmap.close();
      if (!codes.length) {
        showMessage("no_code_found");
        return;
      }
      input.value = pickCode(codes);
      check(input.value);
    } catch {
      showMessage("no_code_found");
    } finally {
      photo.value = "";
    }
  });

  const video = $("[data-scan-video]");
  const videoBox = $("[data-scan-video-box]");
  const cameraButton = $("[data-scan-camera]");
  const stopButton = $("[data-scan-stop]");
  let stream = null;
  let timer = null;

  function stopCamera() {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    videoBox.hidden = true;
    stopButton.hidden = true;
    cameraButton.hidden = false;
  }

  async function startCamera() {
    const found = await getDetector();
    if (!found) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      videoBox.hidden = false;
      cameraButton.hidden = true;
      stopButton.hidden = false;
      await video.play();
    } catch {
      stopCamera();
      showMessage("camera_failed");
      return;
    }
    let busy = false;
    timer = setInterval(async () => {
      if (busy || !stream || video.readyState < 2) return;
      busy = true;
      try {
        const codes = await found.detect(video);
        if (codes.length && stream) {
          stopCamera();
          input.value = pickCode(codes);
          check(input.value);
          cameraButton.focus();
        }
      } catch {
        /* a frame that could not be read: try the next one */
      } finally {
        busy = false;
      }
    }, 300);
  }

  cameraButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", () => {
    stopCamera();
    cameraButton.focus();
  });
  window.addEventListener("pagehide", stopCamera);

  // --- start ------------------------------------------------------------------------------------

  $("[data-scan-fallback]").hidden = true;
  $("[data-scan-tools]").hidden = false;

  getDetector().then((found) => {
    if (found) {
      $("[data-scan-photo-field]").hidden = false;
      if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
        $("[data-scan-camera-controls]").hidden = false;
      }
    } else {
      $("[data-scan-no-detector]").hidden = false;
    }
  });

  // The copies kept from earlier visits first (verified again), then fresh ones when online.
  ready = loadStored().then(() => showKeysStatus());
  ready.then(() => refreshKeys());

  // A token in the address (/verify/scan#<token>) is checked at once.
  const fromAddress = parseToken(decodeURIComponent(window.location.hash.slice(1)));
  if (fromAddress) {
    input.value = fromAddress;
    check(fromAddress);
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(root.dataset.swUrl, { scope: root.dataset.swScope })
      .catch(() => {
        /* no offline copy of this page; the check itself still works */
      });
  }
})();
