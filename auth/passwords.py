"""Password hashing: Argon2id through passlib (libpass), off the event loop.

Verification rehashes when the parameters changed; unknown accounts still cost one verify
(against a dummy hash) so response time does not reveal which phones are registered.

At most one hash per CPU core runs at a time in a process (``hash_slots``): more threads than
cores would only time-slice 64 MiB Argon2 computations against each other, evicting each
other's memory from the caches, so every sign-in would cost more CPU; beyond that they queue.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from functools import lru_cache
from importlib import resources

import anyio
from passlib.context import CryptContext

MIN_LENGTH = 8
MAX_LENGTH = 128


@lru_cache(maxsize=8)
def crypt_context(time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 1) -> CryptContext:
    return CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__rounds=time_cost,
        argon2__memory_cost=memory_cost,
        argon2__parallelism=parallelism,
        deprecated="auto",
    )


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return crypt_context(time_cost, memory_cost, parallelism).hash("dummy-password-for-timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("auth").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """The message key of what is wrong with a new password, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "error.account.password_too_short"
    if len(password) > MAX_LENGTH:
        return "error.account.password_too_long"
    if password.lower() in common_passwords() or len(set(password)) < 4:
        return "error.account.password_too_common"
    return None


_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity masks
        return max(1, os.cpu_count() or 1)


def hash_slots() -> anyio.CapacityLimiter:
    """The running event loop's limit on concurrent hashes: one per usable core."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = anyio.CapacityLimiter(usable_cores())
    return slots


class PasswordHasher:
    def __init__(self, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 1) -> None:
        self.params = (time_cost, memory_cost, parallelism)
        self.context = crypt_context(*self.params)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self.context.hash, password, limiter=hash_slots())

    async def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """``(ok, new_hash)``; ``new_hash`` is set when the stored hash should be replaced."""
        if not hashed:
            await anyio.to_thread.run_sync(
                self.context.verify, password, _dummy_hash(*self.params), limiter=hash_slots()
            )
            return False, None
        try:
            return await anyio.to_thread.run_sync(
                self.context.verify_and_update, password, hashed, limiter=hash_slots()
            )
        except (ValueError, TypeError):
            return False, None


def hasher_for(settings) -> PasswordHasher:
    return PasswordHasher(settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism)
