// Live grid and big screen: poll the grid's fragment with If-None-Match every few seconds.
// The server answers 304 (no body) while nothing has changed, so 1,000 open phones cost
// little; when the ETag changes the new fragment replaces the old one in place.
// Without JavaScript the page is a plain, complete grid (and the big screen reloads itself).

const DEFAULT_SECONDS = 3

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
        region.replaceChildren(...doc.body.childNodes)
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
