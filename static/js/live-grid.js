// Live grid and big screen: poll the grid's fragment with If-None-Match every few seconds.
// The server answers 304 (no body) while nothing has changed, so 1,000 open phones cost
// little; when the ETag changes the new fragment replaces the old one in place.
// Without JavaScript the page is a plain, complete grid (and the big screen reloads itself).

const DEFAULT_SECONDS = 3

// A selector that finds the focused element again in the new fragment: its id, the link's
// address, or the scrolling grid region. Null when the focus is outside the region.
function focusKey (region) {
  const focused = document.activeElement
  if (!focused || focused === region || !region.contains(focused)) return null
  if (focused.id) return `#${CSS.escape(focused.id)}`
  const href = focused.getAttribute('href')
  if (href) return `${focused.localName}[href="${CSS.escape(href)}"]`
  if (focused.matches('[role="region"]')) return '[role="region"]'
  return ''
}

// Replace the region's content, keeping a keyboard user's place: the same element gets the
// focus back (or, when it is gone, the region itself), and the grid keeps its sideways scroll.
function replaceKeepingFocus (region, nodes) {
  const key = focusKey(region)
  const scroller = region.querySelector('[role="region"]')
  const scrollLeft = scroller ? scroller.scrollLeft : 0
  region.replaceChildren(...nodes)
  const newScroller = region.querySelector('[role="region"]')
  if (newScroller) newScroller.scrollLeft = scrollLeft
  if (key === null) return
  // The fragment holds the wide table and the phone list: take the copy that is shown.
  const again = key && [...region.querySelectorAll(key)].find((el) => el.getClientRects().length)
  if (again) {
    again.focus({ preventScroll: true })
  } else {
    region.tabIndex = -1
    region.focus({ preventScroll: true })
  }
}

function startLiveRegion (region) {
  const seconds = Number(region.dataset.pollSeconds) || DEFAULT_SECONDS
  const status = document.querySelector('[data-live-status]')
  let etag = region.dataset.liveEtag || ''
  let timer = null

  function schedule () {
    clearTimeout(timer)
    timer = setTimeout(poll, seconds * 1000)
  }

  async function poll () {
    if (document.hidden) return // resumes on visibilitychange
    try {
      const response = await fetch(region.dataset.liveUrl, {
        headers: { 'If-None-Match': etag, Accept: 'text/html' },
        cache: 'no-store',
        credentials: 'same-origin'
      })
      if (response.status === 200) {
        const html = await response.text()
        const doc = new DOMParser().parseFromString(html, 'text/html')
        replaceKeepingFocus(region, doc.body.childNodes)
        etag = response.headers.get('ETag') || etag
        region.dataset.liveEtag = etag
        if (status) status.textContent = `Grid updated at ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
      }
    } catch (error) {
      if (status) status.textContent = 'Cannot reach the server: the grid may be out of date. Retrying.'
    }
    schedule()
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll()
  })
  schedule()
}

for (const region of document.querySelectorAll('[data-live-url]')) {
  startLiveRegion(region)
}
