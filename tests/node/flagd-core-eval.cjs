// Evaluates flags with @openfeature/flagd-core, flagd's own JavaScript evaluator, for the differential test.
// stdin: {"config": "<flagd document>", "cases": [{"key", "type": "boolean|string|number|object", "context"}]}
// stdout: one result per case: {"value", "variant", "reason", "errorCode", "metadata"}; "value" is absent when the
// evaluator answered with the caller's default (the sentinel below), as for DISABLED flags and code defaults.
const { FlagdCore } = require('@openfeature/flagd-core');

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const sentinel = { boolean: '\u0000default', string: '\u0000default', number: '\u0000default', object: '\u0000default' };

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { config, cases } = JSON.parse(input);
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(config);
  const results = cases.map(({ key, type, context }) => {
    const r = core.resolve(type, key, sentinel[type], context, silent);
    const out = { reason: r.reason, variant: r.variant ?? null, errorCode: r.errorCode ?? null, metadata: r.flagMetadata ?? {} };
    if (r.value !== sentinel[type]) out.value = r.value;
    return out;
  });
  process.stdout.write(JSON.stringify(results));
});
