// Per-evaluation time of @openfeature/flagd-core for the flags benchmark (bench/Onward.Bench FlagsBenchmark).
// stdin: {"config": "<flagd document>", "cases": [{"name", "key", "type", "contexts": [...]}], "iterations": N}
// stdout: [{"name", "nsPerEvaluation"}], one Node thread, after a warm-up of N/5 evaluations per case.
const { FlagdCore } = require('@openfeature/flagd-core');

const silent = { error() {}, warn() {}, info() {}, debug() {} };
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { config, cases, iterations } = JSON.parse(input);
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(config);
  const results = [];
  for (const c of cases) {
    const run = (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) {
        const r = core.resolve(c.type, c.key, c.type === 'boolean' ? false : '', c.contexts[i % c.contexts.length], silent);
        if (r.value) sink++;
      }
      return sink;
    };
    run(Math.floor(iterations / 5));
    const start = process.hrtime.bigint();
    run(iterations);
    const elapsed = Number(process.hrtime.bigint() - start);
    results.push({ name: c.name, nsPerEvaluation: elapsed / iterations });
  }
  process.stdout.write(JSON.stringify(results));
});
