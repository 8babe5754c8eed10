// Entry point for every page: <script type="module" src="/static/js/app.js">.
// No inline scripts anywhere (CSP script-src 'self'), so the classes GOV.UK
// Frontend normally sets from an inline snippet are set here. A browser that
// runs this module supports ES modules, which is GOV.UK Frontend's own test.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

// initAll() checks for govuk-frontend-supported on <body>, so it runs after.
initAll()
