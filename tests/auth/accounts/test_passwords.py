"""Argon2id hashing as accounts use it: rehash on changed parameters, dummy verify for unknown users."""

from __future__ import annotations

from auth.credentials import authenticate_password
from auth.passwords import PasswordHasher

PASSWORD = "Tran-Quoc-Pagoda-6"


class SpyContext:
    def __init__(self, real):
        self.real = real
        self.verified: list[str] = []

    def verify(self, password, hashed):
        self.verified.append(hashed)
        return self.real.verify(password, hashed)

    def verify_and_update(self, password, hashed):
        return self.real.verify_and_update(password, hashed)


class TestRehash:
    async def test_verify_with_new_parameters_returns_a_new_hash(self):
        old = await PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
        ok, new_hash = await PasswordHasher(time_cost=2, memory_cost=2048).verify(PASSWORD, old)
        assert ok and new_hash and "m=2048" in new_hash and "t=2" in new_hash

    async def test_same_parameters_keep_the_hash(self):
        hasher = PasswordHasher(time_cost=1, memory_cost=1024)
        ok, new_hash = await hasher.verify(PASSWORD, await hasher.hash(PASSWORD))
        assert ok and new_hash is None

    async def test_sign_in_replaces_an_outdated_hash(self, ctx, factory, load_account):
        account = await factory.account(password=PASSWORD)
        old_hash = (await load_account(account.id)).password_hash
        ctx.settings.argon2_memory_cost = 2048
        async with ctx.sessionmaker() as session:
            assert await authenticate_password(ctx, session, account.phone, PASSWORD) is not None
            await session.commit()
        new_hash = (await load_account(account.id)).password_hash
        assert new_hash != old_hash and "m=2048" in new_hash


class TestDummyVerify:
    async def test_unknown_user_still_costs_one_verification(self):
        hasher = PasswordHasher(time_cost=1, memory_cost=1024)
        spy = hasher.context = SpyContext(hasher.context)
        assert await hasher.verify(PASSWORD, None) == (False, None)
        assert len(spy.verified) == 1 and spy.verified[0].startswith("$argon2id$")

    async def test_wrong_password_is_refused(self):
        hasher = PasswordHasher(time_cost=1, memory_cost=1024)
        assert (await hasher.verify("Wrong-password-1", await hasher.hash(PASSWORD)))[0] is False


async def test_hashes_run_at_most_one_per_usable_core(monkeypatch):
    """More Argon2 threads than cores would only time-slice against each other."""
    import asyncio
    import threading
    import time

    from auth import passwords

    monkeypatch.setattr(passwords, "usable_cores", lambda: 2)
    running, peak, lock = [0], [0], threading.Lock()

    class SlowContext:
        def hash(self, _password):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return "hashed"

    hasher = passwords.PasswordHasher(1, 1024, 1)
    hasher.context = SlowContext()
    results = await asyncio.gather(*(hasher.hash("Correct-horse-7") for _ in range(6)))
    assert results == ["hashed"] * 6
    assert peak[0] == 2
