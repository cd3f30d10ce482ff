// node --test webphone/testdata/shim.test.js: the shim against the Go vectors.
// MOZIDSIM_SHIM and MOZIDSIM_VECTORS override the files (the Go test uses them
// to check that an altered shim fails).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");
const fs = require("node:fs");

const shim = require(process.env.MOZIDSIM_SHIM || path.join(__dirname, "..", "shim.js"));
const { runCase } = require("./shim-runner.js");
const vectors = JSON.parse(fs.readFileSync(process.env.MOZIDSIM_VECTORS || path.join(__dirname, "shim-vectors.json"), "utf8"));

for (const vc of vectors) {
  test(`${vc.era ? vc.era + " " : ""}${vc.kind}: ${vc.name}`, () => {
    assert.deepStrictEqual(runCase(shim.createMozId, vc), []);
  });
}
