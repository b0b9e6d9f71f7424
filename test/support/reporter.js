// Mocha's dot reporter plus one plain closing line ("N passed, N failed, N skipped") that CI reads.
"use strict";
const Dot = require("mocha/lib/reporters/dot");

class DotWithSummary extends Dot {
    constructor(runner, options) {
        super(runner, options);
        runner.once("end", () => {
            const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
            process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
        });
    }
}
module.exports = DotWithSummary;
