// A real OpenID Connect provider (panva's oidc-provider, certified by the OpenID Foundation)
// for the single sign-on tests: authorization code flow with PKCE, RS256 ID tokens, JWKS,
// userinfo. FOR TESTS ONLY: it signs a person in without a password, from the login_hint
// of the authorization request.
//
//   node provider.mjs config.json
//
// config.json: {"client": {"client_id", "client_secret", "redirect_uris": [...]},
//               "accounts": {"<login hint>": {"amr": ["pwd", "mfa"], "claims": {...}}}}
// Each account's claims (email, name, groups, ...) go into its ID token and userinfo; its
// amr says how it "signed in". The provider listens on 127.0.0.1 on a free port, prints
// {"issuer": "http://127.0.0.1:<port>"} as one line once it is ready, and exits when its
// standard input closes (so it never outlives the test run that started it).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { accounts } = config;

const STANDARD_SCOPES = {
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
};

function claimsByScope() {
  // amr (how the person signed in) and the claims outside the standard scopes (groups,
  // roles, tid) come with openid, as Entra ID puts them in every ID token.
  const standard = new Set(Object.values(STANDARD_SCOPES).flat());
  const extra = new Set();
  for (const account of Object.values(accounts)) {
    for (const name of Object.keys(account.claims)) {
      if (!standard.has(name)) extra.add(name);
    }
  }
  return { openid: ['sub', 'amr', ...extra], ...STANDARD_SCOPES };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
}

function makeProvider(issuer) {
  return new Provider(issuer, {
    clients: [
      {
        ...config.client,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: claimsByScope(),
    // The ID token carries the person's claims (email, groups), as Entra ID's does, not
    // only the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, accountId) {
      const account = accounts[accountId];
      if (!account) return undefined;
      return { accountId, claims: async () => ({ sub: accountId, ...account.claims }) };
    },
  });
}

function refuse(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

// The interaction a person would see: sign in as the account the login_hint names, then
// consent to what the client asked for.
async function interact(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const account = accounts[params.login_hint];
    if (!account) return refuse(res, 400, `No test account for login_hint ${params.login_hint}`);
    const login = { accountId: params.login_hint, amr: account.amr ?? ['pwd'] };
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } });
  }
  return refuse(res, 400, `Unexpected prompt ${prompt.name}`);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = makeProvider(issuer);
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interact(provider, req, res).catch((error) => refuse(res, 500, String(error)));
    } else {
      handle(req, res);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
