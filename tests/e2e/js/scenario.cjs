// Runs the scenario named on the command line from `scenarios` (name -> async function) and prints its
// result as one JSON document; a failure exits non-zero with the stack and `describe(error)` (JSON) on
// stderr. Shared by the client scripts (aws_sdk.cjs, minio_client.cjs).
"use strict";

module.exports = function runScenario(scenarios, describe = () => ({})) {
  (async () => {
    const scenario = scenarios[process.argv[2]];
    if (!scenario) throw new Error("unknown scenario " + process.argv[2]);
    process.stdout.write(JSON.stringify(await scenario()) + "\n");
  })().catch((error) => {
    process.stderr.write((error && error.stack) || String(error));
    process.stderr.write("\n" + JSON.stringify(describe(error)) + "\n");
    process.exit(1);
  });
};
