"""Verifiable randomness for every random choice in agency selection (commit–reveal).

Why: a draw made with the database's ``RAND()`` cannot be checked by anybody afterwards. Here
every random choice is a pure function of public data, so anyone can recompute it:

1. When a purchase request is published, the platform makes a secret (:func:`new_secret`) and
   publishes only its SHA-256 (:func:`commitment`) with the notice.
2. Each quote is acknowledged with a receipt: a lowercase hex SHA-256 string committing to it.
3. The draw seed is SHA-256 over a fixed tag, the secret and the sorted, de-duplicated receipts
   (:func:`draw_seed`). The platform fixed its secret before any quote arrived; the bidders
   never see the secret before the draw. Neither side alone can steer the seed.
4. Random numbers come from :class:`DrawStream`: HMAC-SHA256 blocks keyed by the seed, one
   independent stream per *purpose* ("lottery", "tiebreak", "coefficient", "shortlist",
   "longlist-tiebreak"), turned into unbiased integers by rejection sampling.
5. After the draw the secret is revealed together with a :class:`DrawRecord`; :func:`verify`
   re-runs the very same ``run_*`` function that made the result.

Candidates are always agency keys (the unified social credit code) and are put in canonical
order (sorted by Unicode code point, i.e. plain ``sorted`` on ``str``) before anything is drawn.

This module is pure Python (standard library only, no Django, no database). ``docs/selection.md``
specifies the algorithm byte by byte, with test vectors and a short reference implementation.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import floor
from typing import Any, TypeVar

__all__ = [
    "DEFAULT_COEFFICIENTS",
    "DOMAIN_TAG",
    "DOMAIN_TAG_BEACON",
    "METHODS",
    "PURPOSES",
    "DrawRecord",
    "DrawStream",
    "VerifyResult",
    "break_tie",
    "canonical_order",
    "coefficient",
    "commitment",
    "draw_seed",
    "longlist_by_credit",
    "lottery",
    "make_record",
    "new_secret",
    "optimal_price_reference",
    "run_credit_merit",
    "run_lowest_price",
    "run_method",
    "run_optimal_price",
    "run_random_draw",
    "run_scored",
    "shortlist",
    "verify",
]

T = TypeVar("T")

#: Prefix of the seed pre-image; changing the algorithm means a new version tag.
DOMAIN_TAG = b"zjcs-draw-v1\n"
#: The tag of a seed that also mixes in a public randomness beacon value (docs/selection.md).
DOMAIN_TAG_BEACON = b"zjcs-draw-v2\n"
#: The "optimal price" coefficients in percent, drawn in this order of listing.
DEFAULT_COEFFICIENTS: tuple[int, ...] = (95, 96, 97, 98)
#: The purposes used by the selection methods; each gives an independent stream.
PURPOSES: tuple[str, ...] = ("lottery", "tiebreak", "coefficient", "shortlist", "longlist-tiebreak")

_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_CHUNK = 8  # bytes per integer drawn from the stream
_SPACE = 1 << (8 * _CHUNK)  # 2**64 possible chunk values


# --------------------------------------------------------------------------- commit and seed


def _hex32(value: object, what: str) -> str:
    """Return ``value`` as 64 lowercase hex chars (32 bytes), or raise ``ValueError``."""
    if not isinstance(value, str):
        raise ValueError(
            f"{what} must be a string of 64 hex characters, got {type(value).__name__}"
        )
    if len(value) != 64:
        raise ValueError(
            f"{what} must be 64 hex characters (32 bytes), got {len(value)}: {value!r}"
        )
    if not _HEXDIGITS.issuperset(value):
        raise ValueError(f"{what} must contain only hex characters 0-9 a-f: {value!r}")
    return value.lower()


def new_secret() -> str:
    """Make a fresh draw secret: 32 bytes from :mod:`secrets`, as 64 lowercase hex chars.

    Keep it private until the draw is done; publish only :func:`commitment` of it.
    """
    return secrets.token_bytes(32).hex()


def commitment(secret_hex: str) -> str:
    """Return the public commitment to a secret: SHA-256 of its 32 bytes, lowercase hex.

    The hash is over the raw bytes (``bytes.fromhex(secret_hex)``), not over the hex text.
    """
    secret = bytes.fromhex(_hex32(secret_hex, "secret"))
    return hashlib.sha256(secret).hexdigest()


def draw_seed(
    secret_hex: str, receipts: Iterable[str], beacon_randomness: str | None = None
) -> bytes:
    """Derive the 32-byte draw seed from the revealed secret and the quote receipts, and the
    beacon round's randomness when there is one.

    With a beacon value ``B`` (32 bytes, the round's randomness) the pre-image is
    ``b"zjcs-draw-v2\\n" || secret || B || r_1 || ... || r_m``: the round is fixed at
    publication and published after the deadline, so nobody, the platform included, knows the
    seed before the quotes are fixed.

    ``seed = SHA-256(b"zjcs-draw-v1\\n" || secret (32 bytes) || r_1 || ... || r_m)`` where
    ``r_1 < ... < r_m`` are the distinct receipts, lowercased, sorted as strings and each
    written as its 32 raw bytes. Every part has a fixed length, so the encoding is unambiguous;
    the order in which receipts are given and duplicates make no difference. No receipts at all
    is allowed (the seed then depends on the secret alone).

    Raises ``ValueError`` if the secret or a receipt is not 64 hex characters.
    """
    secret = bytes.fromhex(_hex32(secret_hex, "secret"))
    if isinstance(receipts, str):
        raise ValueError("receipts must be a collection of hex strings, not one string")
    normalised = {_hex32(receipt, f"receipt {receipt!r}") for receipt in receipts}
    if beacon_randomness is None:
        digest = hashlib.sha256(DOMAIN_TAG)
        digest.update(secret)
    else:
        digest = hashlib.sha256(DOMAIN_TAG_BEACON)
        digest.update(secret)
        digest.update(bytes.fromhex(_hex32(beacon_randomness, "beacon randomness")))
    for receipt in sorted(normalised):
        digest.update(bytes.fromhex(receipt))
    return digest.digest()


# --------------------------------------------------------------------------- the stream


class DrawStream:
    """A deterministic stream of uniform random integers for one purpose of one draw.

    Block ``i`` (``i = 0, 1, 2, ...``) is
    ``HMAC-SHA256(key=seed, msg=purpose.encode("utf-8") + b"\\x00" + i.to_bytes(8, "big"))``.
    The blocks are concatenated and read as consecutive 8-byte big-endian unsigned integers
    ("chunks"), four per block. Different purposes give independent streams from one seed.
    """

    def __init__(self, seed: bytes, purpose: str) -> None:
        if not isinstance(seed, bytes | bytearray) or len(seed) != 32:
            raise ValueError("seed must be 32 bytes (use draw_seed())")
        if not isinstance(purpose, str) or not purpose or "\x00" in purpose:
            raise ValueError("purpose must be a non-empty string without NUL characters")
        self._seed = bytes(seed)
        self._prefix = purpose.encode("utf-8") + b"\x00"
        self.purpose = purpose
        self._block_index = 0
        self._buffer = b""
        #: How many 8-byte chunks have been read so far (for tests and audits).
        self.chunks_used = 0

    def block(self, index: int) -> bytes:
        """Return block ``index`` of this stream (32 bytes), without moving the stream."""
        message = self._prefix + index.to_bytes(8, "big")
        return hmac.new(self._seed, message, hashlib.sha256).digest()

    def next_chunk(self) -> int:
        """Read the next 8 bytes of the stream as a big-endian integer in ``[0, 2**64)``."""
        if not self._buffer:
            self._buffer = self.block(self._block_index)
            self._block_index += 1
        chunk, self._buffer = self._buffer[:_CHUNK], self._buffer[_CHUNK:]
        self.chunks_used += 1
        return int.from_bytes(chunk, "big")

    def below(self, n: int) -> int:
        """Return a uniform integer in ``[0, n)``, for ``1 <= n <= 2**64``.

        Rejection sampling, so there is no modulo bias: with ``limit = 2**64 - (2**64 % n)``,
        read chunks until one is ``< limit`` and return it ``% n``. Every call reads at least
        one chunk, even for ``n == 1``.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= _SPACE:
            raise ValueError(f"below(n) needs an integer 1 <= n <= 2**64, got {n!r}")
        limit = _SPACE - (_SPACE % n)
        while True:
            value = self.next_chunk()
            if value < limit:
                return value % n

    def shuffle(self, items: Iterable[T]) -> list[T]:
        """Return a new list: a Fisher–Yates shuffle of ``items`` from the end.

        For ``i`` from ``len - 1`` down to ``1``: ``j = below(i + 1)``; swap positions ``i`` and
        ``j``. Zero or one item reads nothing from the stream.
        """
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def choose(self, items: Iterable[T], k: int) -> list[T]:
        """Return ``k`` distinct items: the first ``k`` of :meth:`shuffle` (all, if fewer)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"choose() needs an integer k >= 0, got {k!r}")
        return self.shuffle(items)[:k]

    def pick(self, items: Sequence[T]) -> T:
        """Return one item: ``items[below(len(items))]``."""
        if not items:
            raise ValueError("pick() needs at least one item")
        return items[self.below(len(items))]


# --------------------------------------------------------------------------- canonical order


def canonical_order(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """Sort ``items`` by a stable public key (the unified social credit code).

    This is the order in which candidates enter every draw, so the same public data always
    gives the same result. Raises ``ValueError`` if two items share a key or a key is empty.
    """
    keyed = [(key(item), item) for item in items]
    _check_keys([k for k, _ in keyed])
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def _check_keys(keys: Sequence[str], what: str = "candidate") -> list[str]:
    """Validate candidate keys (non-empty strings, no duplicates); return them sorted."""
    for k in keys:
        if not isinstance(k, str) or not k:
            raise ValueError(f"every {what} key must be a non-empty string, got {k!r}")
    if len(set(keys)) != len(keys):
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"duplicate {what} keys: {', '.join(duplicates)}")
    return sorted(keys)


# --------------------------------------------------------------------------- convenience draws


def lottery(seed: bytes, candidates: Sequence[str]) -> list[str]:
    """Rank all candidates by lot: shuffle of the sorted keys, purpose ``"lottery"``.

    The first key wins; the rest is the order in which runners-up follow if the winner
    declines.
    """
    return DrawStream(seed, "lottery").shuffle(_check_keys(list(candidates)))


def break_tie(seed: bytes, tied: Sequence[str], purpose: str = "tiebreak") -> list[str]:
    """Order tied candidates by lot: shuffle of the sorted keys with the given purpose."""
    return DrawStream(seed, purpose).shuffle(_check_keys(list(tied)))


def coefficient(seed: bytes, choices: Sequence[int] = DEFAULT_COEFFICIENTS) -> int:
    """Draw the "optimal price" coefficient in percent: ``choices[below(len(choices))]``."""
    return DrawStream(seed, "coefficient").pick(list(choices))


def shortlist(seed: bytes, longlist: Sequence[str], k: int) -> list[str]:
    """Draw a short list of ``k`` keys from the long list: first ``k`` of a shuffle of the
    sorted keys, purpose ``"shortlist"`` (the whole long list, shuffled, if it has ``<= k``)."""
    return DrawStream(seed, "shortlist").choose(_check_keys(list(longlist), "long-list"), k)


# --------------------------------------------------------------------------- amounts


def _amount(value: object, what: str) -> Decimal:
    """Parse a money amount or score given as a decimal string (or int/Decimal)."""
    if isinstance(value, bool | float):
        raise ValueError(f"{what} must be a decimal string, not {type(value).__name__}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise ValueError(f"{what} must be a decimal string, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number: {value!r}")
    return number


def _amounts(
    values: object, candidates: Sequence[str], what: str, *, non_negative: bool
) -> dict[str, Decimal]:
    """Parse ``{key: decimal string}`` whose keys must be exactly the candidates."""
    if not isinstance(values, Mapping):
        raise ValueError(f"parameters[{what!r}] must be an object {{key: decimal string}}")
    keys = set(candidates)
    if set(values) != keys:
        missing = sorted(keys - set(values))
        extra = sorted(str(k) for k in set(values) - keys)
        raise ValueError(
            f"parameters[{what!r}] must have exactly the candidates as keys"
            f" (missing: {missing or 'none'}; not candidates: {extra or 'none'})"
        )
    parsed = {key: _amount(values[key], f"{what}[{key}]") for key in candidates}
    if non_negative:
        for key, number in parsed.items():
            if number < 0:
                raise ValueError(f"{what}[{key}] must not be negative: {number}")
    return parsed


def _rank(
    seed: bytes, values: Mapping[str, Decimal], *, highest_first: bool
) -> tuple[list[str], list[str]]:
    """Rank keys by value, ties decided by lot; return (ranking, keys tied for first).

    Keys are grouped by equal value (numerically equal: 100 == 100.00) and the groups taken
    best first. Group ``g`` (1, 2, 3, ...) is ordered by ``break_tie`` with purpose
    ``"tiebreak"`` for ``g == 1`` and ``"tiebreak-<g>"`` after that; a one-key group reads
    nothing from its stream.
    """
    distinct = sorted(set(values.values()), reverse=highest_first)
    ranking: list[str] = []
    first: list[str] = []
    for g, value in enumerate(distinct, start=1):
        group = sorted(key for key, v in values.items() if v == value)
        if g == 1:
            first = group
        ranking.extend(break_tie(seed, group, "tiebreak" if g == 1 else f"tiebreak-{g}"))
    return ranking, first


def optimal_price_reference(
    prices: Sequence[Decimal], percent: int
) -> tuple[Decimal, dict[str, str | None]]:
    """Compute the "optimal price" reference for the given quotes and coefficient.

    With 3 or more prices, drop ONE highest and ONE lowest; with fewer, drop nothing. The
    reference is ``sum(kept) * percent / (len(kept) * 100)`` computed exactly, then rounded
    half-up (``ROUND_HALF_UP``) to 2 decimal places. Returns the reference and the dropped
    amounts (``None`` when nothing was dropped).
    """
    if not prices:
        raise ValueError("optimal price needs at least one price")
    if any(price < 0 for price in prices):
        raise ValueError("optimal price needs non-negative prices")
    kept = sorted(prices)
    dropped: dict[str, str | None] = {"dropped_highest": None, "dropped_lowest": None}
    if len(kept) >= 3:
        dropped = {"dropped_highest": str(kept[-1]), "dropped_lowest": str(kept[0])}
        kept = kept[1:-1]
    exact = Fraction(sum(kept, Decimal(0))) * percent / (len(kept) * 100)
    cents = floor(exact * 100 + Fraction(1, 2))  # half-up; the value is never negative
    reference = Decimal(cents).scaleb(-2)
    # For every value that fits Decimal's default precision this equals
    # (sum(kept) * percent / (len(kept) * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP).
    return reference, dropped


# --------------------------------------------------------------------------- selection methods

Parameters = Mapping[str, Any]
Result = dict[str, Any]


def _too_few(candidates: Sequence[str], parameters: Parameters) -> Result | None:
    """Common rule: ``parameters["min_quotes"]`` (default 1) candidates are needed, else the
    request fails (流标) and nothing is drawn."""
    minimum = parameters.get("min_quotes", 1)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise ValueError(f"parameters['min_quotes'] must be an integer >= 1, got {minimum!r}")
    if len(candidates) < minimum:
        return {"failed": "too_few_quotes", "count": len(candidates), "min_quotes": minimum}
    return None


def run_random_draw(seed: bytes, candidates: Sequence[str], parameters: Parameters) -> Result:
    """Random draw (随机抽取): :func:`lottery` over the candidates.

    Result: ``{"winner": key, "ranking": [all keys, winner first]}``.
    """
    keys = _check_keys(list(candidates))
    failed = _too_few(keys, parameters)
    if failed:
        return failed
    ranking = lottery(seed, keys)
    return {"winner": ranking[0], "ranking": ranking}


def run_lowest_price(seed: bytes, candidates: Sequence[str], parameters: Parameters) -> Result:
    """Lowest price (最低价): ``parameters["prices"] = {key: "amount"}``; lowest wins, ties by lot.

    Result: ``{"winner", "ranking" (cheapest first), "tied" (sorted keys sharing the lowest)}``.
    """
    keys = _check_keys(list(candidates))
    failed = _too_few(keys, parameters)
    if failed:
        return failed
    prices = _amounts(parameters.get("prices"), keys, "prices", non_negative=True)
    ranking, tied = _rank(seed, prices, highest_first=False)
    return {"winner": ranking[0], "ranking": ranking, "tied": tied}


def run_optimal_price(seed: bytes, candidates: Sequence[str], parameters: Parameters) -> Result:
    """Optimal price (优选价): drop one highest and one lowest quote (when there are 3 or more),
    average the rest, multiply by a drawn coefficient, and the quote closest to that reference
    (absolute difference) wins; ties by lot.

    Parameters: ``{"prices": {key: "amount"}}``, optionally ``"coefficients": [95, 96, 97, 98]``
    and ``"min_quotes"`` (set it to 3 on state-funded projects: fewer quotes → failed).
    Result: ``{"coefficient", "reference", "dropped_highest", "dropped_lowest", "winner",
    "ranking" (closest first), "tied"}``.
    """
    keys = _check_keys(list(candidates))
    failed = _too_few(keys, parameters)
    if failed:
        return failed
    prices = _amounts(parameters.get("prices"), keys, "prices", non_negative=True)
    choices = parameters.get("coefficients", list(DEFAULT_COEFFICIENTS))
    if (
        not isinstance(choices, Sequence)
        or not choices
        or any(isinstance(c, bool) or not isinstance(c, int) or c <= 0 for c in choices)
    ):
        raise ValueError("parameters['coefficients'] must be a non-empty list of positive ints")
    percent = coefficient(seed, choices)
    reference, dropped = optimal_price_reference(list(prices.values()), percent)
    distances = {key: abs(price - reference) for key, price in prices.items()}
    ranking, tied = _rank(seed, distances, highest_first=False)
    return {
        "coefficient": percent,
        "reference": str(reference),
        **dropped,
        "winner": ranking[0],
        "ranking": ranking,
        "tied": tied,
    }


def longlist_by_credit(seed: bytes, scores: Mapping[str, object], size: int) -> list[str]:
    """Build a credit-merit long list: the ``size`` best credit scores, ties by lot.

    The sorted keys are shuffled with purpose ``"longlist-tiebreak"``, then stably sorted by
    score, highest first; so equal scores keep their drawn order. Scores are decimal strings.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"long-list size must be an integer >= 1, got {size!r}")
    keys = _check_keys(list(scores))
    parsed = {key: _amount(scores[key], f"credit_scores[{key}]") for key in keys}
    order = DrawStream(seed, "longlist-tiebreak").shuffle(keys)
    order.sort(key=lambda key: parsed[key], reverse=True)  # stable: ties keep drawn order
    return order[:size]


def run_credit_merit(seed: bytes, candidates: Sequence[str], parameters: Parameters) -> Result:
    """Credit merit (信用择优): a long list by credit, a drawn short list, the owner chooses.

    Parameters: ``{"longlist": [keys ordered by credit], "k": 3}``, or instead of the long list
    ``{"credit_scores": {key: "score"}, "longlist_size": n}`` to build it here with
    :func:`longlist_by_credit`. Long-list keys must be candidates.
    Result: ``{"longlist": [...], "shortlist": [k keys in drawn order]}``.
    """
    keys = _check_keys(list(candidates))
    failed = _too_few(keys, parameters)
    if failed:
        return failed
    k = parameters.get("k", 3)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"parameters['k'] must be an integer >= 1, got {k!r}")
    if "credit_scores" in parameters:
        scores = parameters["credit_scores"]
        _amounts(scores, keys, "credit_scores", non_negative=False)
        longlist = longlist_by_credit(seed, scores, parameters.get("longlist_size", len(keys)))
        if "longlist" in parameters and list(parameters["longlist"]) != longlist:
            raise ValueError("parameters['longlist'] does not match the one built from scores")
    else:
        given = parameters.get("longlist")
        if not isinstance(given, Sequence) or isinstance(given, str) or not given:
            raise ValueError("parameters['longlist'] must be a non-empty list of keys")
        longlist = list(given)
        _check_keys(longlist, "long-list")
    outsiders = sorted(set(longlist) - set(keys))
    if outsiders:
        raise ValueError(f"long-list keys that are not candidates: {', '.join(outsiders)}")
    return {"longlist": longlist, "shortlist": shortlist(seed, longlist, k)}


def run_scored(seed: bytes, candidates: Sequence[str], parameters: Parameters) -> Result:
    """Scored evaluation (综合评审): ``parameters["totals"] = {key: "total"}``; highest wins,
    ties by lot. Result: ``{"winner", "ranking" (highest first), "tied"}``."""
    keys = _check_keys(list(candidates))
    failed = _too_few(keys, parameters)
    if failed:
        return failed
    totals = _amounts(parameters.get("totals"), keys, "totals", non_negative=False)
    ranking, tied = _rank(seed, totals, highest_first=True)
    return {"winner": ranking[0], "ranking": ranking, "tied": tied}


#: Method name → the function that computes its result (used by selection and by verify).
METHODS: dict[str, Callable[[bytes, Sequence[str], Parameters], Result]] = {
    "random_draw": run_random_draw,
    "lowest_price": run_lowest_price,
    "optimal_price": run_optimal_price,
    "credit_merit": run_credit_merit,
    "scored": run_scored,
}


def run_method(
    method: str, seed: bytes, candidates: Sequence[str], parameters: Parameters
) -> Result:
    """Run a selection method by name (see :data:`METHODS`)."""
    try:
        function = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown draw method {method!r}; known: {', '.join(METHODS)}") from None
    return function(seed, candidates, parameters)


# --------------------------------------------------------------------------- records and verify


@dataclass
class DrawRecord:
    """Everything needed to recompute a draw from public data, published after the draw.

    ``parameters`` and ``result`` hold only JSON values; amounts are decimal strings.
    """

    method: str
    secret: str
    commitment: str
    receipts: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    #: The beacon round mixed into the seed: ``{"chain_hash", "round", "signature",
    #: "randomness"}`` (hex). None for draws made before beacons (seed version 1).
    beacon: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a plain dict (the JSON object)."""
        record = {
            "method": self.method,
            "secret": self.secret,
            "commitment": self.commitment,
            "receipts": list(self.receipts),
            "candidates": list(self.candidates),
            "parameters": self.parameters,
            "result": self.result,
        }
        if self.beacon is not None:
            record["beacon"] = dict(self.beacon)
        return record

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> "DrawRecord":
        """Parse a record written by :meth:`to_json`; raise ``ValueError`` if malformed."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a draw record must be a JSON object")
        expected = {
            "method": str,
            "secret": str,
            "commitment": str,
            "receipts": list,
            "candidates": list,
            "parameters": dict,
            "result": dict,
        }
        unknown = sorted(set(data) - set(expected) - {"beacon"})
        if unknown:
            raise ValueError(f"unknown fields in draw record: {', '.join(unknown)}")
        for name, kind in expected.items():
            if not isinstance(data.get(name), kind):
                raise ValueError(f"draw record field {name!r} must be a {kind.__name__}")
        if "beacon" in data and not isinstance(data["beacon"], dict):
            raise ValueError("draw record field 'beacon' must be a dict")
        return cls(**data)


def make_record(
    method: str,
    secret_hex: str,
    receipts: Iterable[str],
    candidates: Sequence[str],
    parameters: Parameters,
    beacon: Mapping[str, Any] | None = None,
) -> DrawRecord:
    """Perform a draw and return its record (what the selection code calls).

    Receipts and candidates are stored sorted (receipts lowercased and de-duplicated).
    ``beacon`` is the verified beacon round (``{"chain_hash", "round", "signature",
    "randomness"}``) whose randomness enters the seed.
    """
    receipt_list = sorted({_hex32(r, f"receipt {r!r}") for r in receipts})
    seed = draw_seed(secret_hex, receipt_list, beacon["randomness"] if beacon else None)
    result = run_method(method, seed, candidates, parameters)
    return DrawRecord(
        method=str.__str__(method),  # a plain str even when given a str enum (TextChoices)
        secret=secret_hex.lower(),
        commitment=commitment(secret_hex),
        receipts=receipt_list,
        candidates=sorted(candidates),
        parameters=dict(parameters),
        result=result,
        beacon=dict(beacon) if beacon else None,
    )


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`: ``ok`` is true exactly when ``problems`` is empty."""

    ok: bool
    problems: list[str]

    def __bool__(self) -> bool:
        return self.ok


def verify(record: DrawRecord, published_commitment: str | None = None) -> VerifyResult:
    """Recompute a draw from its record and list every difference found.

    Checks that the secret matches the record's commitment (and ``published_commitment``,
    the value printed in the purchase notice, when given), recomputes the seed from the secret
    and the receipts, re-runs the method's ``run_*`` function and compares the result key by
    key.
    """
    problems: list[str] = []
    try:
        expected = commitment(record.secret)
    except ValueError as error:
        return VerifyResult(False, [f"secret is malformed: {error}"])
    if expected != str(record.commitment).lower():
        problems.append(
            f"commitment mismatch: SHA-256 of the revealed secret is {expected},"
            f" the record says {record.commitment}"
        )
    if published_commitment is not None and expected != published_commitment.lower():
        problems.append(
            f"commitment mismatch: SHA-256 of the revealed secret is {expected},"
            f" the purchase notice published {published_commitment}"
        )
    randomness = None
    if record.beacon is not None:
        try:
            randomness = _hex32(record.beacon.get("randomness"), "beacon randomness")
            signature = bytes.fromhex(str(record.beacon.get("signature")))
        except ValueError as error:
            return VerifyResult(False, [*problems, f"beacon is malformed: {error}"])
        # A drand round's randomness is the SHA-256 of its signature; the signature itself is
        # checked against the chain's public key outside this module (it needs BLS).
        if hashlib.sha256(signature).hexdigest() != randomness:
            problems.append("beacon randomness is not the SHA-256 of the round's signature")
    try:
        seed = draw_seed(record.secret, record.receipts, randomness)
    except ValueError as error:
        return VerifyResult(False, [*problems, f"receipts are malformed: {error}"])
    if record.method not in METHODS:
        known = ", ".join(METHODS)
        return VerifyResult(False, [*problems, f"unknown method {record.method!r}; known: {known}"])
    try:
        recomputed = run_method(record.method, seed, record.candidates, record.parameters)
    except ValueError as error:
        return VerifyResult(False, [*problems, f"cannot re-run {record.method}: {error}"])
    for key in sorted(set(recomputed) | set(record.result)):
        if key not in record.result:
            problems.append(f"result[{key!r}] is missing; recomputed {recomputed[key]!r}")
        elif key not in recomputed:
            problems.append(f"result[{key!r}] = {record.result[key]!r} is not part of the method")
        elif record.result[key] != recomputed[key]:
            problems.append(
                f"result[{key!r}] differs: recorded {record.result[key]!r},"
                f" recomputed {recomputed[key]!r}"
            )
    return VerifyResult(not problems, problems)
