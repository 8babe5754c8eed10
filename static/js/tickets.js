// Live "on sale in ..." countdowns. The server already rendered the text, so without this
// module the page still says when booking opens; with it, the text ticks down each second
// and the page reloads when booking opens (so the booking form appears).
const spans = document.querySelectorAll('[data-countdown-to]')

function words (seconds) {
  const parts = [
    [Math.floor(seconds / 86400), 'day'],
    [Math.floor((seconds % 86400) / 3600), 'hour'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'second']
  ]
  const first = parts.findIndex(([n]) => n > 0)
  const shown = parts.slice(first, first + 2).filter(([n]) => n > 0)
  return 'in ' + shown.map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`).join(', ')
}

function tick () {
  const now = Date.now()
  for (const span of spans) {
    const left = Math.round((Date.parse(span.dataset.countdownTo) - now) / 1000)
    if (left <= 0) {
      window.location.reload()
      return
    }
    span.textContent = words(left)
  }
  window.setTimeout(tick, 1000)
}

if (spans.length) tick()
