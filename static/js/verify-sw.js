/* Service worker for the offline scanner (scope /verify/, served from /verify/sw.js).
 *
 * Caches only what the scanner needs to open and check signatures without a connection:
 *   - the scanner page /verify/scan: network first (so a language switch or a new version shows at
 *     once), the cached copy when the network fails or is slower than NAVIGATION_TIMEOUT;
 *   - same-origin GETs under /static/ that the page uses: cache first, refreshed in the background.
 *     Runtime caching works with the hashed names of ManifestStaticFilesStorage in production as well
 *     as the plain names in development; on install, the static URLs the page references are read
 *     from the page itself and cached, so the first visit is enough to work offline;
 *   - the older status list by token digest (/verify/status.json, for documents signed before the
 *     status lists): network first, the cached copy (marked X-Govportal-From-Cache) offline.
 * The trust list and the status lists are not stored here: they are signed by the trust root, and the
 * page keeps them in localStorage and verifies them again against its pinned keys whenever it opens,
 * so one copy, checked, is all it needs offline.
 * Everything else, above all /v/<token> results, passes through untouched and is never stored.
 */
const CACHE = "govportal-verify-v2"; // v1 kept the JWK Set, which the scanner no longer trusts
const CACHE_PREFIX = "govportal-verify-";
const PAGE = "/verify/scan";
const STATUS_LIST = "/verify/status.json";
const DOWNLOADS = [STATUS_LIST];
const STATIC = "/static/";
const MAX_STATIC_ENTRIES = 40;
const NAVIGATION_TIMEOUT = 4000;
const FROM_CACHE = "X-Govportal-From-Cache";

/** A copy of a downloaded file marked with when it was fetched, so that the page can tell. */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set(FROM_CACHE, new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

async function trimStatic(cache) {
  const keys = (await cache.keys()).filter((request) => new URL(request.url).pathname.startsWith(STATIC));
  await Promise.all(keys.slice(0, Math.max(keys.length - MAX_STATIC_ENTRIES, 0)).map((request) => cache.delete(request)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(PAGE, { cache: "no-cache", credentials: "same-origin" });
      if (cacheable(page)) {
        const html = await page.clone().text();
        await cache.put(PAGE, page);
        const urls = new Set();
        for (const match of html.matchAll(/(?:src|href)="(\/static\/[^"#]+)"/g)) urls.add(match[1]);
        await Promise.all(
          [...urls].map(async (url) => {
            try {
              const response = await fetch(url, { cache: "no-cache" });
              if (cacheable(response)) await cache.put(url, response);
            } catch {
              /* cached later, when the page asks for it */
            }
          }),
        );
      }
      await Promise.all(
        DOWNLOADS.map(async (url) => {
          try {
            const response = await fetch(url, { cache: "no-cache" });
            if (response.ok) await cache.put(url, await stamped(response));
          } catch {
            /* fetched again by the page */
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

async function scannerPage(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request)
    .then(async (response) => {
      // Only the plain page is stored: never an address that carries anything else.
      if (cacheable(response) && !new URL(event.request.url).search) await cache.put(PAGE, response.clone());
      return response;
    })
    .catch(() => null);
  event.waitUntil(network);
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NAVIGATION_TIMEOUT));
  const first = await Promise.race([network, timeout]);
  if (first) return first;
  const cached = await cache.match(PAGE);
  if (cached) return cached;
  return (await network) || Response.error();
}

async function staticFile(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request);
  const network = fetch(event.request)
    .then(async (response) => {
      if (cacheable(response)) {
        await cache.put(event.request, response.clone());
        await trimStatic(cache);
      }
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(network); // refreshed in the background for the next visit
    return cached;
  }
  return (await network) || Response.error();
}

/** The older status list: the network's answer (kept), else the copy kept last time. */
async function download(event, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(event.request);
    if (response.ok) await cache.put(path, await stamped(response.clone()));
    return response;
  } catch {
    return (await cache.match(path)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") event.respondWith(scannerPage(event));
  else if (DOWNLOADS.includes(url.pathname)) event.respondWith(download(event, url.pathname));
  else if (url.pathname.startsWith(STATIC)) event.respondWith(staticFile(event));
  // Anything else (verification results, the rest of the portal) goes to the network as usual.
});
