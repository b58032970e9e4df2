// Grants and refresh tokens as a sign-in would leave them: one grant per citizen with
// ``openid offline_access`` and the API resource scope, one refresh token each.
import { createProvider, MOBILE_CLIENT, RESOURCE } from './config.js';
import { disconnect } from './redis_adapter.js';

const count = Number(process.argv[2] || 32);
const provider = createProvider();
const client = await provider.Client.find(MOBILE_CLIENT);
const now = Math.floor(Date.now() / 1000);
const tokens = [];
for (let i = 0; i < count; i += 1) {
  const accountId = `citizen-${i}`;
  const grant = new provider.Grant({ accountId, clientId: MOBILE_CLIENT });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope(RESOURCE, 'api');
  const grantId = await grant.save();
  const refresh = new provider.RefreshToken({
    accountId, client, grantId, gty: 'authorization_code', scope: 'openid offline_access api',
    resource: RESOURCE, authTime: now, iiat: now, amr: ['pwd'], acr: 'urn:superapp:loa:1',
    sessionUid: `session-${i}`, expiresWithSession: false,
  });
  tokens.push(await refresh.save());
}
console.log(JSON.stringify({ refresh_tokens: tokens, mobile_client_id: MOBILE_CLIENT }));
await disconnect();
