"""Offline verification rate of HT1 payloads against the raw ES256 verification rate.

    .venv/bin/python bench/transit_verify.py [--rounds 30] [--seconds 0.2]

One thread, pinned to one core. "raw" is ``EllipticCurvePublicKey.verify`` of the same library
(pyca/cryptography) on a 38-byte message; "offline" is ``miniapps.transit.verify_payload`` on
the text a validator scans (base45 decode, parse, key lookup, signature, a deny list of 10 000
entries, time checks). Device-bound payloads are measured warm (a phone whose certificate the
validator has seen: one signature per scan) and cold (two signatures per scan, compared with
half the raw rate). Rates are per second of thread CPU time, interleaved in short rounds, best
round kept, so a busy neighbour on a shared machine disturbs every figure alike.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid

from cryptography.hazmat.primitives.asymmetric import ec

from miniapps.transit import DenyList, VerificationKeys, verify_payload
from miniapps.transit import payload as fmt
from miniapps.transit.keys import public_jwk, thumbprint

T0 = 1_800_000_000


def rate(fn, seconds: float) -> float:
    """Operations per second of this thread's CPU time (a busy neighbour takes wall time from
    us, not CPU time), over about ``seconds`` of CPU."""
    n, start = 0, time.thread_time()
    deadline = start + seconds
    while True:
        for _ in range(100):
            fn()
        n += 100
        now = time.thread_time()
        if now >= deadline:
            return n / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=0.2)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    issuer = ec.generate_private_key(ec.SECP256R1())
    jwk = public_jwk(issuer.public_key())
    kid = thumbprint(jwk)[:4].hex()
    keys = VerificationKeys.from_jwks({"keys": [{**jwk, "kid": kid, "alg": "ES256"}]})
    claims = fmt.TicketClaims(kid, uuid.uuid4(), 2, "day_pass", None, T0 - 60, T0 + 86400, 30)
    sign = fmt.es256_signer(issuer)
    denylist = DenyList(uuid.uuid4() for _ in range(10_000))

    message = os.urandom(38)
    der = issuer.sign(message, fmt.ES256)
    public = issuer.public_key()
    text = fmt.issuer_payload(claims, T0 // 30, sign)
    phone = ec.generate_private_key(ec.SECP256R1())
    dk = fmt.compress_public_key(phone.public_key())
    cert = fmt.device_certificate(claims._replace(device_key=dk), dk, sign)
    device_text = fmt.device_payload(cert, T0 // 30, fmt.es256_signer(phone))
    assert verify_payload(text, keys, denylist, T0).accepted
    assert verify_payload(device_text, keys, denylist, T0).accepted

    def cold() -> None:
        keys._certs.clear()
        verify_payload(device_text, keys, denylist, T0)

    cases = {
        "raw": lambda: public.verify(der, message, fmt.ES256),
        "issuer": lambda: verify_payload(text, keys, denylist, T0),
        "device_warm": lambda: verify_payload(device_text, keys, denylist, T0),
        "device_cold": cold,
    }
    best = dict.fromkeys(cases, 0.0)
    for _ in range(args.rounds):
        for name, fn in cases.items():
            best[name] = max(best[name], rate(fn, args.seconds))

    raw = best["raw"]
    print(f"raw ES256 verify           {raw:9.0f} /s")
    print(f"offline, issuer mode       {best['issuer']:9.0f} /s  {best['issuer'] / raw:6.1%} of raw")
    print(f"offline, device mode warm  {best['device_warm']:9.0f} /s  {best['device_warm'] / raw:6.1%} of raw")
    print(f"offline, device mode cold  {best['device_cold']:9.0f} /s  {best['device_cold'] / (raw / 2):6.1%} of raw/2")


if __name__ == "__main__":
    main()
