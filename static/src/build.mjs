// Build the committed front-end files: `npm run build` (after `npm ci`).
//
//   static/src/scss/lgcamp.scss  -> static/css/lgcamp.css (compressed, no source map)
//   govuk-frontend.min.js        -> static/js/govuk-frontend.min.js
//   jsqr/dist/jsQR.js            -> static/js/vendor/jsQR.js (wrapped as an ES module)
//   axe-core/axe.min.js          -> tests/browser/vendor/axe.min.js (test only: the
//                                   accessibility suite injects it; CI and tests never download)
//
// Only dependency: sass. Fails if the output mentions assets reserved for GOV.UK.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const at = (path) => join(root, path);

const FORBIDDEN = ["GDS Transport", "govuk-crown", "/fonts/"];

function write(path, text) {
  mkdirSync(dirname(at(path)), { recursive: true });
  writeFileSync(at(path), text);
  console.log(`wrote ${path} (${Buffer.byteLength(text)} bytes)`);
}

function buildCss() {
  const result = sass.compile(at("static/src/scss/lgcamp.scss"), {
    style: "compressed",
    sourceMap: false,
    loadPaths: [at("node_modules")],
    // Deprecation warnings from govuk-frontend's own @import-based sources
    // are not ours to fix; warnings from static/src still show.
    quietDeps: true,
  });
  const css = result.css + "\n";
  const found = FORBIDDEN.filter((needle) => css.includes(needle));
  if (found.length) {
    throw new Error(`lgcamp.css must not contain: ${found.join(", ")}`);
  }
  write("static/css/lgcamp.css", css);
}

function copyJs() {
  const from = "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js";
  const to = "static/js/govuk-frontend.min.js";
  // The .map is not shipped, so drop its comment to avoid a 404 in dev tools.
  const js = readFileSync(at(from), "utf8").replace(/\/\/# sourceMappingURL=\S+\s*$/, "");
  write(to, js.trimEnd() + "\n");
  console.log(`  from ${relative(root, at(from))}`);
}

// The scanner's QR decoder for browsers without BarcodeDetector. jsQR ships as UMD; giving
// it a local `module` makes it export there, so the wrapper can re-export it as an ES module.
function vendorJsQr() {
  const from = "node_modules/jsqr/dist/jsQR.js";
  const version = JSON.parse(readFileSync(at("node_modules/jsqr/package.json"), "utf8")).version;
  const umd = readFileSync(at(from), "utf8").replace(/\/\/# sourceMappingURL=\S+\s*$/, "");
  const js = [
    `// jsQR ${version} (Apache-2.0, https://github.com/cozmo/jsQR), vendored by static/src/build.mjs.`,
    "const module = { exports: {} };",
    "const exports = module.exports;",
    umd.trimEnd(),
    "export default module.exports;",
    "",
  ].join("\n");
  write("static/js/vendor/jsQR.js", js);
}

// axe-core for tests/browser/test_accessibility.py, which injects it into every page. Kept
// under tests/ (never served by the app); the version line lets the test report what ran.
function vendorAxe() {
  const version = JSON.parse(readFileSync(at("node_modules/axe-core/package.json"), "utf8")).version;
  const js = readFileSync(at("node_modules/axe-core/axe.min.js"), "utf8");
  write(
    "tests/browser/vendor/axe.min.js",
    `/* axe-core ${version} (MPL-2.0), vendored by static/src/build.mjs */\n${js.trimEnd()}\n`,
  );
}

buildCss();
copyJs();
vendorJsQr();
vendorAxe();
