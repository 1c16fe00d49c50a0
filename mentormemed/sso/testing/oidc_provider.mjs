// A real OpenID Provider (panva/oidc-provider, installed by npm ci) for browser tests and the demo.
// Usage: node oidc_provider.mjs config.json — config: {port, clients: [...], accounts: {login: claims}}.
// Prints "ready <issuer>" once listening. Its built-in sign-in screens stand in for a campus login page.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
const REFEDS_MFA = 'https://refeds.org/profile/mfa';

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name', 'eduperson_affiliation', 'eduperson_principal_name'],
    },
    acrValues: [REFEDS_MFA, 'urn:mace:incommon:iap:silver'],
    cookies: { keys: ['mentormemed-test-op-cookie-key'] },
    async findAccount(ctx, id) {
      const claims = accounts[id] || {};
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
  });
  server.on('request', provider.callback());
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
