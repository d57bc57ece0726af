// Copy the map library's dist files into the Python package (run: npm ci && npm run vendor).
// Only these files are committed; node_modules is not.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "node_modules", "maplibre-gl");
const dst = join(here, "..", "src", "jiyue", "web", "static", "vendor", "maplibre");
mkdirSync(dst, { recursive: true });
for (const f of ["dist/maplibre-gl.mjs", "dist/maplibre-gl-worker.mjs", "dist/maplibre-gl.css", "LICENSE.txt"]) {
  copyFileSync(join(src, f), join(dst, f.split("/").pop()));
}
const version = JSON.parse(readFileSync(join(src, "package.json"), "utf8")).version;
writeFileSync(join(dst, "VERSION"), `maplibre-gl ${version} (BSD-3-Clause), copied from npm by web/vendor.mjs\n`);
console.log(`vendored maplibre-gl ${version} -> ${dst}`);
