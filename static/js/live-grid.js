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
        fitScreen()
        // 24-hour times, as everywhere else on the site, whatever the browser's locale.
        if (status) status.textContent = `Grid updated at ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}`
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

// Big screen: the page is one screen high; when a busy slot would not fit, scale the type
// down (--screen-scale, used by the stylesheet) until nothing overflows.
function fitScreen () {
  const page = document.querySelector('.lgcamp-screen')
  const main = document.querySelector('.lgcamp-screen__main')
  if (!page || !main) return
  const overflows = () => [main, ...main.querySelectorAll('.lgcamp-screen__slot')]
    .some((box) => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
  let scale = 1
  page.style.setProperty('--screen-scale', String(scale))
  while (overflows() && scale > 0.4) {
    scale = Math.round((scale - 0.05) * 100) / 100
    page.style.setProperty('--screen-scale', String(scale))
  }
}

for (const region of document.querySelectorAll('[data-live-url]')) {
  startLiveRegion(region)
}
if (document.querySelector('[data-screen-fit]')) {
  fitScreen()
  window.addEventListener('resize', fitScreen)
}
