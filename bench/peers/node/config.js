// The peer's configuration, matched to ours: ES256 JWT access tokens (15 min) for the API
// resource, rotating refresh tokens, PKCE required, a confidential server client for client
// credentials and a public first-party-like mobile client for refresh tokens.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import Provider from 'oidc-provider';
import RedisAdapter from './redis_adapter.js';

export const PORT = Number(process.env.PORT);
export const ISSUER = `http://127.0.0.1:${PORT}`;
export const RESOURCE = `${ISSUER}/v1`;
export const SERVER_CLIENT = { id: 'bench-server', secret: 'bench-server-secret-0123456789abcdef0123456789' };
export const MOBILE_CLIENT = 'bench-mobile';

function signingKey() {
  const path = './signing-key.json';
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench-es256' };
  writeFileSync(path, JSON.stringify(key));
  return key;
}

export function createProvider() {
  return new Provider(ISSUER, {
    adapter: RedisAdapter,
    clients: [
      {
        client_id: SERVER_CLIENT.id,
        client_secret: SERVER_CLIENT.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: MOBILE_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['vn.hanoi.superapp.bench:/oauth/callback'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey()] },
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'] },
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
    scopes: ['openid', 'offline_access', 'api', 'transit.validate'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api transit.validate',
          audience: RESOURCE,
          accessTokenTTL: 900,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    ttl: {
      AccessToken: 900,
      ClientCredentials: 900,
      IdToken: 900,
      RefreshToken: 30 * 24 * 3600,
      Grant: 180 * 24 * 3600,
      AuthorizationCode: 60,
      Session: 14 * 24 * 3600,
      Interaction: 3600,
    },
  });
}
