/* The field auditor's scanner: checks a document's signed QR code on this device.
 *
 * The signature (ES256, compact JWS) is verified with WebCrypto against the portal's JWK Set,
 * kept in localStorage so that it works offline; when online, the live status (revoked,
 * superseded) comes from /v/<token>/json. No libraries, no inline code (strict CSP).
 */
(() => {
  "use strict";

  const JWKS_STORE = "govportal.verify.jwks";
  const STATUS_STORE = "govportal.verify.status";
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

  /** Check a compact JWS against a JWK Set: {genuine, reason, payload}. Never throws. */
  async function verifyToken(token, jwks) {
    const result = (genuine, reason, payload = null) => ({ genuine, reason, payload });
    const parts = String(token || "").split(".");
    if (parts.length !== 3 || token.length > 4096) return result(false, "malformed");
    let header;
    let payload;
    let signature;
    try {
      header = decodeJson(parts[0]);
      payload = decodeJson(parts[1]);
      signature = b64urlDecode(parts[2]);
    } catch {
      return result(false, "malformed");
    }
    if (header.alg !== "ES256" || typeof header.kid !== "string" || !header.kid) {
      return result(false, "malformed", payload);
    }
    const set = jwks || {};
    if ((set.revoked || []).some((entry) => entry && entry.kid === header.kid)) {
      return result(false, "revoked_key", payload);
    }
    const jwk = (set.keys || []).find((entry) => entry && entry.kid === header.kid);
    if (!jwk || jwk.kty !== "EC" || jwk.crv !== "P-256" || jwk.status === "revoked") {
      return result(false, "unknown_key", payload);
    }
    if (signature.length !== 64) return result(false, "bad_signature", payload);
    let valid = false;
    try {
      const key = await crypto.subtle.importKey(
        "jwk",
        { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`); // base64url is ASCII
      valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, data);
    } catch {
      return result(false, "unknown_key", payload); // key material that does not import
    }
    if (!valid) return result(false, "bad_signature", payload);
    if (payload.iss !== jwk.iss) return result(false, "wrong_issuer", payload);
    return result(true, "", payload);
  }

  window.govportalVerify = { parseToken, verifyToken };

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

  // --- the JWK Set and the status list: network first, the stored copies when offline ------------
  //
  // The status list names the issuers (in each language) and the documents that are no longer
  // plainly valid (revoked, replaced, changed since issue), by the SHA-256 of their token: what a
  // check needs to say "revoked" with no connection.

  let jwks = null;
  let jwksSavedAt = null;
  let statusList = null;
  let statusSavedAt = null;
  const keysStatus = $("[data-scan-keys-status]");
  const keysButton = $("[data-scan-keys-refresh]");

  /** A copy kept in localStorage as {savedAt, <name>: data}; null when there is none (or it is damaged). */
  function loadStored(store, name, check) {
    try {
      const stored = JSON.parse(localStorage.getItem(store) || "null");
      if (stored && check(stored[name])) return { data: stored[name], savedAt: new Date(stored.savedAt) };
    } catch {
      /* a damaged copy is as good as none */
    }
    return null;
  }

  const isJwks = (data) => Boolean(data && Array.isArray(data.keys));
  const isStatusList = (data) => Boolean(data && data.issuers && data.documents && typeof data.documents === "object");

  function loadStoredKeys() {
    const stored = loadStored(JWKS_STORE, "jwks", isJwks);
    if (stored) [jwks, jwksSavedAt] = [stored.data, stored.savedAt];
    const list = loadStored(STATUS_STORE, "list", isStatusList);
    if (list) [statusList, statusSavedAt] = [list.data, list.savedAt];
  }

  function showKeysStatus(offline = false) {
    if (!jwks) keysStatus.textContent = t("keys_missing");
    else keysStatus.replaceChildren(fill(offline ? "keys_offline" : "keys_updated", { date: formatDate(jwksSavedAt, true) }));
  }

  /** Fetch one of the two files; the service worker answers from its cache offline, and says so. */
  async function download(url, valid) {
    const response = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
    const fromCache = response.headers.get("X-Govportal-From-Cache");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    if (!valid(data)) throw new Error("not the expected file");
    return { data, fromCache, savedAt: fromCache ? new Date(fromCache) : new Date() };
  }

  function store(key, name, data, savedAt) {
    try {
      localStorage.setItem(key, JSON.stringify({ savedAt: savedAt.toISOString(), [name]: data }));
    } catch {
      /* storage full or disabled: the copy in memory still works for this visit */
    }
  }

  async function refreshStatusList() {
    try {
      const got = await download(root.dataset.statusListUrl, isStatusList);
      if (got.fromCache && statusList) return; // offline: keep the newer copy this device has
      [statusList, statusSavedAt] = [got.data, got.savedAt];
      store(STATUS_STORE, "list", statusList, statusSavedAt);
    } catch {
      /* offline or refused: the stored copy (if any) stays in use */
    }
  }

  async function refreshKeys() {
    keysButton.disabled = true;
    keysStatus.textContent = t("keys_updating");
    const list = refreshStatusList();
    try {
      const got = await download(root.dataset.jwksUrl, isJwks);
      if (got.fromCache && jwks) throw new Error("offline");
      [jwks, jwksSavedAt] = [got.data, got.savedAt];
      store(JWKS_STORE, "jwks", jwks, jwksSavedAt);
      showKeysStatus(Boolean(got.fromCache));
      return true;
    } catch {
      showKeysStatus(true);
      return false;
    } finally {
      await list;
      keysButton.disabled = false;
    }
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

  /** The issuer's name in the page's language: from the live answer, else the stored status list. */
  function issuerName(code, live) {
    if (live && live.issuer) return String(live.issuer);
    const names = statusList && statusList.issuers ? statusList.issuers[code] : null;
    return names ? String(inLanguage(names) || "") : "";
  }

  async function tokenDigest(token) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /** What the stored status list says of a token: an answer shaped like the live one (marked
   * ``listed``), valid when the list does not name it; null when this device has no list. */
  async function listedStatus(token) {
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
   * amber when changed since issue.
   * live: the /v/<token>/json answer, or the stored list's (``listed``); null (offline without a
   * list) or "failed" when nothing is known of its status. */
  function showGenuine(payload, live) {
    const known = Boolean(live && typeof live === "object");
    const current = known ? live.status : "";
    const changed = known && Boolean(live.changed);
    const notes = known && Array.isArray(live.notes) ? live.notes : [];
    const code = String(payload.iss || "");
    const name = issuerName(code, known ? live : null);
    const signedBy = () => fill("signed_by", { entity: name || code });

    let box;
    const status = el("p", "status-line");
    if (current === "revoked") {
      const revokedOn = fill("status_revoked_text", {
        date: formatDate(new Date(live.revoked_at)),
        reason: live.revoked_reason || "—",
      });
      box = panel("not-genuine", "✗", t("revoked_title"), revokedOn);
      status.append(tag("red", t("status_revoked")), el("span", "", t("status_not_valid_text")));
    } else if (current === "superseded") {
      const line = el("span", "", `${t("status_superseded_text")} `);
      if (live.replacement_serial) line.append(ltr(String(live.replacement_serial), "auto"));
      box = panel("not-genuine", "✗", t("superseded_title"), line);
      status.append(tag("red", t("status_superseded")), el("span", "", t("status_not_valid_text")));
      if (live.replacement) {
        const link = el("a", "", t("see_replacement"));
        link.href = live.replacement;
        status.append(link);
      }
    } else if (changed) {
      // Still valid but changed since issue (e.g. partly refunded): amber, never the plain green "valid".
      box = panel("changed", "!", t("changed_title"), t("changed_line"));
      status.append(tag("amber", t("status_changed")));
    } else if (known && current === "valid") {
      box = panel("genuine", "✓", t(live.listed ? "genuine" : "genuine_valid"), signedBy());
      const text = el("span");
      if (live.listed) text.append(fill("status_listed_text", { date: formatDate(statusSavedAt, true) }));
      else text.textContent = t("status_valid_text");
      status.append(tag("green", t("status_valid")), text);
    } else {
      box = panel("genuine", "✓", t("genuine"), live === "failed" ? signedBy() : t("offline_line"));
      status.append(tag("grey", t("status_offline")), el("span", "", t(live === "failed" ? "status_failed_text" : "status_offline_text")));
    }
    const noteList = el("ul", "plain-list status-notes");
    for (const note of notes) noteList.append(el("li", "", String(note)));

    const list = el("dl", "summary-list");
    const issuer = document.createDocumentFragment();
    if (name) issuer.append(name, " ");
    issuer.append(ltr(code));
    summaryRow(list, t("label_issuer"), issuer);
    summaryRow(list, t("label_kind"), kinds[payload.kind] || String(payload.kind || ""));
    summaryRow(list, t("label_serial"), ltr(String(payload.sn || ""), "auto"));
    summaryRow(list, t("label_issued"), formatDate(new Date(Number(payload.iat) * 1000)));
    // Online, the register's details too (amounts, dates, masked names), as the /v/ page shows them.
    const details = known && Array.isArray(live.details) ? live.details : [];
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

  async function check(text) {
    const token = parseToken(text);
    if (!token) {
      showMessage("not_a_link");
      return;
    }
    const run = ++checking;
    resultBox.replaceChildren(el("p", "scan__checking", t("checking")));
    if (!jwks) await refreshKeys();
    if (!jwks) {
      if (run === checking) showMessage("no_keys");
      return;
    }
    let verdict = await verifyToken(token, jwks);
    // A key made since the keys were last downloaded: fetch them again once before saying no.
    if (!verdict.genuine && verdict.reason === "unknown_key" && navigator.onLine && (await refreshKeys())) {
      verdict = await verifyToken(token, jwks);
    }
    if (run !== checking) return;
    if (!verdict.genuine) {
      showNotGenuine(t(verdict.reason));
      return;
    }
    let live = await liveStatus(token);
    // No answer from the register (offline, or it failed): what this device's copy of the list says.
    if (!live || typeof live !== "object") live = (await listedStatus(token)) || live;
    if (run !== checking) return;
    if (live && typeof live === "object" && live.genuine === false) {
      showNotGenuine(live.reason || t("malformed")); // the register knows better (e.g. not registered)
      return;
    }
    showGenuine(verdict.payload, live);
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

  loadStoredKeys();
  showKeysStatus();
  refreshKeys();

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
