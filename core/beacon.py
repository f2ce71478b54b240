"""A public randomness beacon in drand's format: a client that fetches and verifies rounds, and
a local signer for the demo and the tests.

A draw mixes in the beacon's value for a round fixed before anyone can know it, so nobody —
the platform included — can compute the result before that round is published. Production
reads drand's League of Entropy "quicknet" chain (docs/deployment.md); the demo and the tests
run `LocalBeacon` behind the same HTTP API (`manage.py run_beacon`, core/beacon_server.py),
with a key committed to the repository and so forgeable by anyone.

The scheme is drand's `bls-unchained-g1-rfc9380` (quicknet):
- the message of round r is SHA-256 of r as 8 bytes big-endian;
- the signature is a BLS signature on G1 (48 bytes compressed) under the domain separation tag
  `DST`, verified against a public key on G2 (96 bytes compressed);
- the randomness is SHA-256 of the signature's bytes.
Round 1 is published at the chain's genesis time and round r at genesis + (r - 1) × period.
"""

import contextlib
import datetime
import functools
import hashlib
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import drand_verify
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from py_ecc.bls.g2_primitives import subgroup_check
from py_ecc.bls.hash_to_curve import hash_to_G1
from py_ecc.bls.point_compression import compress_G1, compress_G2, decompress_G2
from py_ecc.bls.typing import G2Compressed
from py_ecc.optimized_bls12_381 import G2, curve_order, is_inf, multiply

SCHEME = "bls-unchained-g1-rfc9380"
DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
# The local chain's name in its /info (drand's beacon id, part of the chain hash).
LOCAL_BEACON_ID = "zjcs-local"

_SIGNATURE_BYTES = 48
_PUBLIC_KEY_BYTES = 96
_MAX_ROUND = 2**64 - 1  # drand's rounds are uint64
_HEX = re.compile(r"[0-9a-fA-F]*")
# A round's answer is a few hundred bytes; anything much larger is not a beacon talking.
_MAX_ANSWER_BYTES = 64 * 1024
# A server may deny a round our clock says exists when the two clocks disagree by a little;
# that is "not yet". Denying a round published longer ago than this is a fault to report.
_CLOCK_SKEW = datetime.timedelta(seconds=60)


class BeaconError(Exception):
    """Anything that stops a beacon round from being had and trusted."""


class BeaconInvalid(BeaconError):
    """A round or signature that does not check out: malformed, or not signed by the chain."""


class BeaconUnavailable(BeaconError):
    """The beacon could not be asked or gave no usable answer; asking again later may work."""


class RoundNotReached(BeaconError):
    """The local beacon was asked to sign a round whose time has not come."""


@dataclass(frozen=True)
class Chain:
    """What a client needs to know about a chain: its key, its clock and its name.

    `chain_hash` names the chain in the API's paths; it is configured, not recomputed (drand's
    hash also covers the genesis group's hash and the beacon id, which a client need not hold).
    """

    public_key: str
    period: int
    genesis_time: int
    chain_hash: str
    scheme: str = SCHEME

    def __post_init__(self) -> None:
        if self.period < 1:
            raise ValueError(
                f"A chain's period is a positive number of seconds, not {self.period}."
            )

    @property
    def genesis(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.genesis_time, tz=datetime.UTC)

    def round_time(self, round: int) -> datetime.datetime:
        """When `round` is published (UTC). Raises ValueError for a round below 1 and
        OverflowError for one beyond the calendar."""
        if round < 1:
            raise ValueError(f"Rounds start at 1, not {round}.")
        return self.genesis + datetime.timedelta(seconds=(round - 1) * self.period)

    def round_at(self, moment: datetime.datetime) -> int:
        """The latest round published at `moment` (a round counts from its own time on); 0
        before genesis, when there is none."""
        elapsed = _aware(moment) - self.genesis
        if elapsed < datetime.timedelta(0):
            return 0
        return elapsed // datetime.timedelta(seconds=self.period) + 1

    def first_round_after(self, moment: datetime.datetime) -> int:
        """The first round published strictly after `moment`: nobody can know its value at
        `moment`, so a draw fixed at `moment` may use it."""
        return self.round_at(moment) + 1


@dataclass(frozen=True)
class BeaconRound:
    round: int
    signature: str
    randomness: str


def configured_chain() -> Chain:
    """The chain this installation trusts (settings BEACON_*)."""
    return Chain(
        public_key=settings.BEACON_PUBLIC_KEY,
        period=settings.BEACON_PERIOD,
        genesis_time=settings.BEACON_GENESIS,
        chain_hash=settings.BEACON_CHAIN_HASH,
        scheme=SCHEME,
    )


def verify_round(chain: Chain, round: int, signature_hex: str) -> BeaconRound:
    """Check that `signature_hex` is the chain's signature of `round`, and return the round
    with its randomness.

    Raises BeaconInvalid — and nothing else — when the chain, the round or the signature is
    malformed or the signature does not verify.
    """
    if chain.scheme != SCHEME:
        raise BeaconInvalid(f"The chain's scheme is {chain.scheme!r}; only {SCHEME} is supported.")
    if isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= _MAX_ROUND:
        raise BeaconInvalid(f"{round!r} is not a beacon round (a whole number from 1).")
    signature = _hex_bytes(signature_hex, _SIGNATURE_BYTES, "signature")
    public_key = _checked_public_key(chain.public_key)
    try:
        randomness = drand_verify.verify_bls_unchained_g1_rfc9380(
            round, signature.hex(), public_key
        )
    except Exception as error:  # the library's ValueError, or anything else it may raise
        raise BeaconInvalid(
            f"The signature of round {round} does not verify against the chain's public key "
            f"({error})."
        ) from None
    expected = hashlib.sha256(signature).hexdigest()
    if randomness != expected:  # the library's own hash, checked against the scheme's
        raise BeaconInvalid(f"Round {round}: the verifier's randomness is not SHA-256(signature).")
    return BeaconRound(round=round, signature=signature.hex(), randomness=expected)


def fetch_round(round: int, *, chain: Chain | None = None) -> BeaconRound | None:
    """Fetch `round` from the beacon at settings.BEACON_URL and verify it.

    Returns None while the round does not exist yet: its time is still ahead by our clock (the
    beacon is not even asked), or the beacon answers that it is a future round (drand's 404,
    or 425 from its HTTP relay) within a minute of the round's time, as when clocks differ.

    Raises BeaconUnavailable when the beacon cannot be reached or its answer is unusable
    (an error status, not JSON, another round, a round long due it still denies), and
    BeaconInvalid when the answer's signature or randomness does not check out. A round
    below 1 is a caller's mistake (ValueError).
    """
    if chain is None:
        chain = configured_chain()
    now = timezone.now()
    if not _published(chain, round, now):
        return None
    base = settings.BEACON_URL.rstrip("/")
    answer = _get_json(f"{base}/{chain.chain_hash}/public/{round}", round=round)
    if answer is None:
        if now - chain.round_time(round) < _CLOCK_SKEW:
            return None
        raise BeaconUnavailable(
            f"The beacon at {base} says round {round} does not exist, though it was due at "
            f"{chain.round_time(round).isoformat()}; is the chain hash right?"
        )
    served_round = answer.get("round")
    signature = answer.get("signature")
    served_randomness = answer.get("randomness")
    if not isinstance(signature, str) or not isinstance(served_randomness, str):
        raise BeaconUnavailable(f"The beacon's answer for round {round} lacks its signature.")
    if served_round != round or isinstance(served_round, bool):
        raise BeaconUnavailable(
            f"The beacon answered round {served_round!r} when asked for round {round}."
        )
    verified = verify_round(chain, round, signature)
    if served_randomness.lower() != verified.randomness:
        raise BeaconInvalid(
            f"The beacon's randomness for round {round} is not SHA-256 of its signature."
        )
    return verified


def fetch_round_kept(round: int, *, chain: Chain | None = None) -> BeaconRound | None:
    """fetch_round, keeping what it got in the cache: a published round never changes, so the
    sweep fetches it once, before it takes any row lock, and the draw under the lock reads it
    back without asking the network. What the cache returns is verified again (a round is
    trusted for its signature, never for where it was kept)."""
    if chain is None:
        chain = configured_chain()
    key = f"beacon:{chain.chain_hash}:{round}"
    signature = None
    # The cache only saves a round trip: when it is down, the round is fetched instead.
    with contextlib.suppress(Exception):
        signature = cache.get(key)
    if isinstance(signature, str):
        with contextlib.suppress(BeaconInvalid):
            return verify_round(chain, round, signature)
    found = fetch_round(round, chain=chain)
    if found is not None:
        with contextlib.suppress(Exception):
            cache.set(key, found.signature, timeout=None)
    return found


class LocalBeacon:
    """A one-key beacon in quicknet's format, for the demo and the tests: it signs any round
    whose time has come, as drand's League of Entropy does with a threshold of keys.

    Its chain hash is computed as drand computes one (`drand_chain_hash`), so a drand client
    accepts its /info. drand hashes in the genesis group's hash, which a one-key chain has
    none of; here that "group hash" is SHA-256 over the canonical JSON (keys sorted, no
    spaces) of {"genesis_time", "period", "public_key", "scheme"}. The beacon id is
    LOCAL_BEACON_ID.
    """

    def __init__(
        self,
        secret_key: int,
        *,
        genesis_time: int,
        period: int,
        beacon_id: str = LOCAL_BEACON_ID,
    ) -> None:
        if not 0 < secret_key < curve_order:
            raise ValueError("A BLS12-381 secret key is a number from 1 below the curve order.")
        self._secret_key = secret_key
        self.beacon_id = beacon_id
        public_key = _public_key_hex(secret_key)
        self.group_hash = hashlib.sha256(
            json.dumps(
                {
                    "genesis_time": genesis_time,
                    "period": period,
                    "public_key": public_key,
                    "scheme": SCHEME,
                },
                sort_keys=True,
                separators=(",", ":"),
            ).encode()
        ).hexdigest()
        self._chain = Chain(
            public_key=public_key,
            period=period,
            genesis_time=genesis_time,
            chain_hash=drand_chain_hash(
                public_key=public_key,
                period=period,
                genesis_time=genesis_time,
                group_hash=self.group_hash,
                beacon_id=beacon_id,
            ),
            scheme=SCHEME,
        )

    def __repr__(self) -> str:  # never the secret key
        return f"<LocalBeacon {self._chain.chain_hash}>"

    def chain(self) -> Chain:
        return self._chain

    def info(self) -> dict[str, Any]:
        """The chain's description as drand's /info gives it."""
        chain = self._chain
        return {
            "public_key": chain.public_key,
            "period": chain.period,
            "genesis_time": chain.genesis_time,
            "hash": chain.chain_hash,
            "groupHash": self.group_hash,
            "schemeID": chain.scheme,
            "metadata": {"beaconID": self.beacon_id},
        }

    def sign(self, round: int) -> BeaconRound:
        """The signed round. Raises RoundNotReached while its time is still ahead (so that the
        demo's beacon cannot tell a draw's outcome early either), ValueError below round 1."""
        if round < 1:
            raise ValueError(f"Rounds start at 1, not {round}.")
        if not _published(self._chain, round, timezone.now()):
            raise RoundNotReached(f"Round {round} is not due yet.")
        signature = _signature(self._secret_key, round)
        return BeaconRound(
            round=round,
            signature=signature,
            randomness=hashlib.sha256(bytes.fromhex(signature)).hexdigest(),
        )


def local_beacon() -> LocalBeacon:
    """The demo's beacon, from settings BEACON_LOCAL_SECRET_KEY, BEACON_GENESIS, BEACON_PERIOD.
    Raises ImproperlyConfigured where there is no local key (production)."""
    secret = settings.BEACON_LOCAL_SECRET_KEY
    if not secret:
        raise ImproperlyConfigured(
            "BEACON_LOCAL_SECRET_KEY is not set: this installation reads a public beacon and "
            "runs none of its own."
        )
    return LocalBeacon(
        int(secret, 16), genesis_time=settings.BEACON_GENESIS, period=settings.BEACON_PERIOD
    )


def drand_chain_hash(
    *, public_key: str, period: int, genesis_time: int, group_hash: str, beacon_id: str
) -> str:
    """A chain's hash as drand computes it (drand/drand common/chain/info.go, `Info.Hash`):
    SHA-256 over the period in seconds (4 bytes big-endian), the genesis time (8 bytes
    big-endian, signed), the public key's bytes, the genesis group's hash and, unless it is
    the default one, the beacon id. For quicknet this gives 52db9ba7…e971."""
    digest = hashlib.sha256()
    digest.update(period.to_bytes(4, "big"))
    digest.update(genesis_time.to_bytes(8, "big", signed=True))
    digest.update(bytes.fromhex(public_key))
    digest.update(bytes.fromhex(group_hash))
    if beacon_id not in ("", "default"):
        digest.update(beacon_id.encode())
    return digest.hexdigest()


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        raise ValueError("Beacon rounds are reckoned from an aware datetime, not a naive one.")
    return moment


def _published(chain: Chain, round: int, now: datetime.datetime) -> bool:
    try:
        return chain.round_time(round) <= now
    except OverflowError:  # a round beyond the calendar is simply in the future
        return False


def _hex_bytes(value: object, size: int, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise BeaconInvalid(f"The {what} is not hexadecimal.")
    if len(value) % 2:
        raise BeaconInvalid(f"The {what} has an odd number of hex digits.")
    raw = bytes.fromhex(value)
    if len(raw) != size:
        raise BeaconInvalid(f"The {what} is {len(raw)} bytes long; a {SCHEME} {what} has {size}.")
    return raw


@functools.lru_cache(maxsize=8)
def _checked_public_key(public_key_hex: str) -> str:
    """The public key as drand_verify wants it, once it is known to be a point of G2's
    subgroup: the library panics (an exception no caller expects) on a malformed key."""
    raw = _hex_bytes(public_key_hex, _PUBLIC_KEY_BYTES, "public key")
    try:
        point = decompress_G2(
            G2Compressed((int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big")))
        )
    except ValueError as error:
        raise BeaconInvalid(f"The chain's public key is not a point of G2 ({error}).") from None
    if is_inf(point) or not subgroup_check(point):
        raise BeaconInvalid("The chain's public key is not a usable point of G2.")
    return raw.hex()


def _public_key_hex(secret_key: int) -> str:
    z1, z2 = compress_G2(multiply(G2, secret_key))
    return z1.to_bytes(48, "big").hex() + z2.to_bytes(48, "big").hex()


@functools.lru_cache(maxsize=4096)
def _signature(secret_key: int, round: int) -> str:
    # Signatures are deterministic; the beacon server is asked for the same rounds many times.
    message = hashlib.sha256(round.to_bytes(8, "big")).digest()
    point = multiply(hash_to_G1(message, DST, hashlib.sha256), secret_key)  # type: ignore[arg-type]
    return compress_G1(point).to_bytes(48, "big").hex()


def _get_json(url: str, *, round: int) -> dict | None:
    """The JSON object at `url`, or None when the beacon says the round is not there yet."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise BeaconUnavailable(f"BEACON_URL must be an http(s) address, not {url!r}.")
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        url, headers={"Accept": "application/json", "User-Agent": "zjcs-beacon-client"}
    )
    timeout = getattr(settings, "BEACON_TIMEOUT_SECONDS", 5)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(_MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in (404, 425):  # drand: 404; its HTTP relay (api.drand.sh): 425 Too Early
            return None
        raise BeaconUnavailable(
            f"The beacon answered {error.code} {error.reason} for round {round}."
        ) from error
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError is an OSError
        raise BeaconUnavailable(
            f"The beacon could not be reached for round {round}: {error}"
        ) from error
    if len(body) > _MAX_ANSWER_BYTES:
        raise BeaconUnavailable(f"The beacon's answer for round {round} is far too long.")
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise BeaconUnavailable(f"The beacon's answer for round {round} is not JSON.") from error
    if not isinstance(answer, dict):
        raise BeaconUnavailable(f"The beacon's answer for round {round} is not a JSON object.")
    return answer
