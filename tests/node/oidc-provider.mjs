// A real OpenID provider (the certified oidc-provider package) for the sign-in tests, on loopback:
//   node oidc-provider.mjs PORT ISSUER CALLBACK [CALLBACK...]
// Static clients: `onward` (confidential, authorization code with PKCE, for the web sign-in) and `onward-cli` (public,
// device flow and loopback redirects, for access tokens to Onward's API, issued as JWTs for the audience `onward`).
// Accounts are the login typed on the provider's own sign-in page; their groups come from the table below. The
// provider signs with an RSA key (ID tokens) and an EC key (access tokens). POST /test/tamper {mode} changes the next
// ID token the token endpoint hands out, the way a forged or broken answer would look: wrong-issuer, wrong-audience,
// expired, bad-signature, alg-none, wrong-nonce. It prints "listening" once it serves.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Provider } from 'oidc-provider';
import * as jose from 'jose';

const [port, issuer, ...callbacks] = process.argv.slice(2);
const groups = {
  alice: ['release-managers'],
  bob: ['release-managers'],
  dave: ['developers'],
  sam: ['shop-team'],
  pat: ['platform'],
  nora: ['marketing'],
};
const key = (type, options, alg) => ({ ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }), use: 'sig', alg, kid: `${alg}-${randomUUID().slice(0, 8)}` });
const rsa = key('rsa', { modulusLength: 2048 }, 'RS256');
const ec = key('ec', { namedCurve: 'P-256' }, 'ES256');
const claimsOf = (id) => ({
  sub: id,
  name: id[0].toUpperCase() + id.slice(1),
  preferred_username: id,
  email: `${id}@example.test`,
  email_verified: true,
  // `nogroups` is a person the provider sends without any groups claim.
  ...(id === 'nogroups' ? {} : { groups: groups[id] ?? [] }),
});

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'onward',
      client_secret: 'onward-test-secret',
      redirect_uris: callbacks,
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'onward-cli',
      redirect_uris: ['http://127.0.0.1/callback'],
      application_type: 'native',
      grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  ],
  jwks: { keys: [rsa, ec] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['onward-test-cookies'] },
  pkce: { required: () => true },
  ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600, DeviceCode: 600, AuthorizationCode: 60 },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf ?? (client.clientId === 'onward-cli' ? 'urn:onward:api' : undefined),
      useGrantedResource: async (ctx) => ctx.oidc.client?.clientId === 'onward-cli',
      getResourceServerInfo: async () => ({ scope: 'openid profile email groups', audience: 'onward', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
  extraTokenClaims: async (ctx, token) => (token.accountId && token.accountId !== 'nogroups' ? { groups: groups[token.accountId] ?? [], preferred_username: token.accountId } : {}),
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return claimsOf(id); } };
  },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

let tamper = null;
const signingKey = await jose.importJWK(rsa, 'RS256');
const otherKey = (await jose.generateKeyPair('RS256')).privateKey;
async function forge(idToken, mode) {
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const changed = {
    'wrong-issuer': { ...claims, iss: 'http://127.0.0.1:9/not-the-provider' },
    'wrong-audience': { ...claims, aud: 'someone-else' },
    'expired': { ...claims, iat: now - 7200, exp: now - 3600 },
    'wrong-nonce': { ...claims, nonce: 'not-the-nonce-that-was-sent' },
  }[mode] ?? claims;
  if (mode === 'alg-none') {
    const encode = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
  }
  return new jose.SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: header.typ }).sign(mode === 'bad-signature' ? otherKey : signingKey);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    tamper = JSON.parse(body).mode ?? null;
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

const server = provider.listen(Number(port), '127.0.0.1');
server.once('listening', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
