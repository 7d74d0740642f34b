// A real OpenFeature client against Onward's OFREP endpoint: @openfeature/server-sdk with a provider built on
// @openfeature/ofrep-core's OFREPApi (the served @openfeature/ofrep-provider 0.1.3 predates code defaults).
// stdin: {"baseUrl", "headers": [[name, value]], "calls": [{"type": "boolean|string|number|object", "key", "default", "context"}]}
// stdout: one evaluation detail per call: {"value", "variant", "reason", "errorCode"}.
const { OpenFeature } = require('@openfeature/server-sdk');
const { OFREPApi, toResolutionDetails, handleEvaluationError } = require('@openfeature/ofrep-core');

class OnwardOfrepProvider {
  constructor(options) {
    this.metadata = { name: 'onward-ofrep' };
    this.runsOn = 'server';
    this.api = new OFREPApi(options);
  }
  async resolve(key, defaultValue, context) {
    try {
      const result = await this.api.postEvaluateFlag(key, { context });
      if (result.httpStatus === 200) return toResolutionDetails(result.value, defaultValue);
      return handleEvaluationError(result.value, defaultValue);
    } catch (error) {
      return handleEvaluationError(error.response ? { errorCode: 'GENERAL', errorDetails: String(error.message) } : error, defaultValue);
    }
  }
  resolveBooleanEvaluation(key, d, c) { return this.resolve(key, d, c); }
  resolveStringEvaluation(key, d, c) { return this.resolve(key, d, c); }
  resolveNumberEvaluation(key, d, c) { return this.resolve(key, d, c); }
  resolveObjectEvaluation(key, d, c) { return this.resolve(key, d, c); }
}

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  const { baseUrl, headers, calls } = JSON.parse(input);
  await OpenFeature.setProviderAndWait(new OnwardOfrepProvider({ baseUrl, headers }));
  const client = OpenFeature.getClient();
  const method = { boolean: 'getBooleanDetails', string: 'getStringDetails', number: 'getNumberDetails', object: 'getObjectDetails' };
  const out = [];
  for (const call of calls) {
    const d = await client[method[call.type]](call.key, call.default, call.context ?? {});
    out.push({ value: d.value, variant: d.variant ?? null, reason: d.reason ?? null, errorCode: d.errorCode ?? null });
  }
  process.stdout.write(JSON.stringify(out));
  await OpenFeature.close();
});
