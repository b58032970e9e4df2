// oidc-provider storage adapter on Redis, after the project's example adapter
// (github.com/panva/node-oidc-provider, example/adapters/redis.js): one key per model instance,
// a list per grant for revocation, consumable models as hashes.
import Redis from 'ioredis';

const client = new Redis(process.env.REDIS_URL, { keyPrefix: process.env.REDIS_PREFIX });

const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

const grantKeyFor = (id) => `grant:${id}`;
const userCodeKeyFor = (code) => `userCode:${code}`;
const uidKeyFor = (uid) => `uid:${uid}`;

export default class RedisAdapter {
  constructor(name) {
    this.name = name;
  }

  key(id) {
    return `${this.name}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const multi = client.multi();
    if (consumable.has(this.name)) {
      multi.hset(key, { payload: JSON.stringify(payload) });
    } else {
      multi.set(key, JSON.stringify(payload));
    }
    if (expiresIn) multi.expire(key, expiresIn);
    if (grantable.has(this.name) && payload.grantId) {
      const grantKey = grantKeyFor(payload.grantId);
      multi.rpush(grantKey, key);
      const ttl = await client.ttl(grantKey);
      if (expiresIn > ttl) multi.expire(grantKey, expiresIn);
    }
    if (payload.userCode) {
      multi.set(userCodeKeyFor(payload.userCode), id);
      if (expiresIn) multi.expire(userCodeKeyFor(payload.userCode), expiresIn);
    }
    if (payload.uid) {
      multi.set(uidKeyFor(payload.uid), id);
      if (expiresIn) multi.expire(uidKeyFor(payload.uid), expiresIn);
    }
    await multi.exec();
  }

  async find(id) {
    const data = consumable.has(this.name)
      ? await client.hgetall(this.key(id))
      : await client.get(this.key(id));
    if (!data || (typeof data === 'object' && !Object.keys(data).length)) return undefined;
    if (typeof data === 'string') return JSON.parse(data);
    const { payload, ...rest } = data;
    return { ...rest, ...JSON.parse(payload) };
  }

  async findByUid(uid) {
    const id = await client.get(uidKeyFor(uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode) {
    const id = await client.get(userCodeKeyFor(userCode));
    return id ? this.find(id) : undefined;
  }

  async consume(id) {
    await client.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
  }

  async destroy(id) {
    await client.del(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const multi = client.multi();
    const tokens = await client.lrange(grantKeyFor(grantId), 0, -1);
    tokens.forEach((token) => multi.del(token));
    multi.del(grantKeyFor(grantId));
    await multi.exec();
  }
}

export async function disconnect() {
  await client.quit();
}
