// Scores answer sets with the site's own questionnaire.js, for test_scoring_parity.py:
// reads [{rules, answers}, ...] as JSON on stdin, prints [{total, band, risk}, ...].
"use strict";
const path = require("path");
const { score } = require(path.join(__dirname, "../../templates/assets/questionnaire.js"));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map(({ rules, answers }) => {
    const scored = score(rules, answers);
    return { total: scored.total, band: scored.band, risk: scored.risk.map((r) => r.item) };
  });
  process.stdout.write(JSON.stringify(out));
});
