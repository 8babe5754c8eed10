// The scanner's service worker: serves the page shell and its assets when offline.
// Served from /events/<slug>/door/sw.js, so its scope is that event's /door/ path.
// The page: network first (3 s), falling back to the cached copy. Static assets: cache
// first, refreshed in the background. The JSON API is never cached: the page itself
// decides what to do offline (IndexedDB ticket list and queue).
const VERSION = 'lgcamp-door-v3' // v3: check-in window, admissions, search as you type
const SCOPE = new URL(self.registration.scope)
const PAGE = new URL('scan', SCOPE).pathname
const ASSETS = [
  '/static/css/lgcamp.css',
  '/static/js/app.js',
  '/static/js/govuk-frontend.min.js',
  '/static/js/scanner/main.js',
  '/static/js/scanner/api.js',
  '/static/js/scanner/camera.js',
  '/static/js/scanner/store.js',
  '/static/js/scanner/ticket.js',
  '/static/js/scanner/ui.js',
  '/static/js/scanner/search.js',
  '/static/js/vendor/jsQR.js',
  '/static/favicon.svg'
]

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(VERSION)
      .then((cache) => cache.addAll([...ASSETS, PAGE]))
      .then(() => self.skipWaiting())
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  )
})

function withTimeout (promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    promise.then((value) => { clearTimeout(timer); resolve(value) }, (error) => { clearTimeout(timer); reject(error) })
  })
}

async function pageNetworkFirst (request) {
  const cache = await caches.open(VERSION)
  try {
    const response = await withTimeout(fetch(request), 3000)
    if (response.ok && !response.redirected) cache.put(PAGE, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(PAGE)
    if (cached) return cached
    throw error
  }
}

async function assetCacheFirst (request) {
  const cache = await caches.open(VERSION)
  const cached = await cache.match(request, { ignoreSearch: true })
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone())
    return response
  })
  if (cached) {
    refresh.catch(() => {})
    return cached
  }
  return refresh
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return
  if (event.request.mode === 'navigate' && url.pathname === PAGE) {
    event.respondWith(pageNetworkFirst(event.request))
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(assetCacheFirst(event.request))
  }
})
