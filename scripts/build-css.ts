/**
 * Builds src/web/static/sewa.css from src/web/styles/sewa.scss with Dart Sass.
 * The output is committed, so running the portal needs no build step.
 * Run after changing the SCSS or upgrading govuk-frontend: `npm run build:css`.
 */
import fs from "node:fs";
import { compile, NodePackageImporter } from "sass";

const result = compile("src/web/styles/sewa.scss", {
  importers: [new NodePackageImporter()],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
fs.writeFileSync("src/web/static/sewa.css", result.css);
console.log(`src/web/static/sewa.css: ${result.css.length} bytes`);
