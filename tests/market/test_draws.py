"""Verifiable draws (market/draws.py): test vectors, statistics, verification, and the
reference implementation printed in docs/selection.md. No database needed."""

import hashlib
import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from market import draws
from market.draws import (
    DrawRecord,
    DrawStream,
    break_tie,
    coefficient,
    commitment,
    draw_seed,
    lottery,
    make_record,
    new_secret,
    optimal_price_reference,
    run_credit_merit,
    run_lowest_price,
    run_optimal_price,
    run_random_draw,
    run_scored,
    shortlist,
    verify,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "selection.md"

# ---- the worked example of docs/selection.md ------------------------------------------------
SECRET = "00" * 32
RECEIPTS = ["33" * 32, "11" * 32, "22" * 32]
A, B, C, D, E = (f"91511422MA00000{n}X{letter}" for n, letter in zip("12345", "ABCDE", strict=True))
CANDIDATES = [C, A, E, B, D]  # deliberately not sorted

COMMITMENT = "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
SEED_HEX = "0658cef54192bb0b61e44e073d52df0cf91c1b3e04d6d9b14221c52779e03df2"
SEED_NO_RECEIPTS_HEX = "5769f42ab2eebeda7082db4ce2228068b61f5ba1511134ac70d1f8316ee6bfc5"
LOTTERY_BLOCK0 = "e46de0661efd7e13c733a3b53f1b6f7c3f4c93fa1d5b08a57bacf51eaa522d5f"
LOTTERY_CHUNKS = [
    16460058942320246291,
    14353996436203073404,
    4561183225063082149,
    8911767274714705247,
]
LOTTERY = [D, C, E, A, B]
COEFFICIENT = 98
TIE_OF_THREE = [A, C, B]
SHORTLIST = [A, B, E]
PRICES = {C: "100", A: "90", E: "95", B: "80", D: "120"}
PRICES_TIED = {A: "90", B: "90", C: "100", D: "80", E: "120"}


@pytest.fixture
def seed() -> bytes:
    return draw_seed(SECRET, RECEIPTS)


# ---- commit and seed ------------------------------------------------------------------------


def test_new_secret_is_64_lowercase_hex_and_fresh():
    one, two = new_secret(), new_secret()
    assert re.fullmatch(r"[0-9a-f]{64}", one)
    assert one != two


def test_commitment_is_sha256_of_the_secret_bytes():
    assert commitment(SECRET) == COMMITMENT
    assert commitment(SECRET) == hashlib.sha256(bytes(32)).hexdigest()
    assert commitment(SECRET.upper()) == COMMITMENT


def test_seed_vector_and_its_preimage(seed):
    preimage = (
        bytes.fromhex("7a6a63732d647261772d76310a")
        + bytes(32)
        + bytes.fromhex("11" * 32)
        + bytes.fromhex("22" * 32)
        + bytes.fromhex("33" * 32)
    )
    assert preimage.startswith(draws.DOMAIN_TAG)
    assert seed.hex() == SEED_HEX
    assert hashlib.sha256(preimage).hexdigest() == SEED_HEX
    assert draw_seed(SECRET, []).hex() == SEED_NO_RECEIPTS_HEX


def test_receipt_order_case_and_duplicates_do_not_matter(seed):
    assert draw_seed(SECRET, list(reversed(RECEIPTS))) == seed
    assert draw_seed(SECRET, [r.upper() for r in RECEIPTS]) == seed
    assert draw_seed(SECRET, (r for r in RECEIPTS * 2)) == seed


def test_changed_receipt_or_secret_changes_the_seed(seed):
    changed = [*RECEIPTS[:2], "22" * 31 + "23"]
    assert draw_seed(SECRET, changed) != seed
    assert draw_seed(SECRET, [*RECEIPTS, "44" * 32]) != seed
    assert draw_seed("00" * 31 + "01", RECEIPTS) != seed


@pytest.mark.parametrize(
    ("secret", "receipts", "message"),
    [
        ("00" * 31, [], "64 hex characters"),
        ("zz" * 32, [], "only hex characters"),
        ("00" * 31 + " 0", [], "only hex characters"),
        (SECRET, ["11" * 31], "receipt"),
        (SECRET, ["gg" * 32], "receipt"),
        (SECRET, "11" * 32, "not one string"),
        (SECRET, [None], "receipt"),
    ],
)
def test_malformed_inputs_raise_clear_errors(secret, receipts, message):
    with pytest.raises(ValueError, match=message):
        draw_seed(secret, receipts)


def test_commitment_rejects_malformed_secret():
    with pytest.raises(ValueError, match="secret"):
        commitment("abc")


# ---- the stream -----------------------------------------------------------------------------


def test_stream_blocks_and_chunks_vector(seed):
    stream = DrawStream(seed, "lottery")
    assert stream.block(0).hex() == LOTTERY_BLOCK0
    assert [stream.next_chunk() for _ in range(4)] == LOTTERY_CHUNKS
    assert stream.next_chunk() == int.from_bytes(stream.block(1)[:8], "big")
    assert stream.chunks_used == 5


def test_purposes_give_independent_streams(seed):
    blocks = {purpose: DrawStream(seed, purpose).block(0) for purpose in draws.PURPOSES}
    assert len(set(blocks.values())) == len(draws.PURPOSES)
    # drawing the coefficient first does not change the lottery
    coefficient(seed)
    assert lottery(seed, CANDIDATES) == LOTTERY


def test_below_is_uniform_within_three_percent(seed):
    stream = DrawStream(seed, "uniformity")
    counts = Counter(stream.below(3) for _ in range(30_000))
    assert set(counts) == {0, 1, 2}
    for bucket in range(3):
        assert abs(counts[bucket] - 10_000) <= 300, counts


def test_below_rejects_values_that_would_bias_the_modulo(seed, monkeypatch):
    stream = DrawStream(seed, "bias")
    values = iter([2**64 - 1, 2**64 - 2, 7])  # limit for n=3 is 2**64 - 1; for n=6 too
    monkeypatch.setattr(stream, "next_chunk", lambda: next(values))
    assert stream.below(3) == (2**64 - 2) % 3  # the first value was rejected
    assert stream.below(6) == 7 % 6


def test_below_rejection_path_with_a_real_stream(seed):
    # n = 2**63 + 1 is not a power of two and about half of all chunks are rejected
    n = 2**63 + 1
    stream = DrawStream(seed, "rejection")
    results = [stream.below(n) for _ in range(200)]
    assert all(0 <= r < n for r in results)
    assert stream.chunks_used > 300  # many rejections happened
    # a power of two never rejects
    exact = DrawStream(seed, "rejection")
    [exact.below(2**20) for _ in range(200)]
    assert exact.chunks_used == 200


def test_below_reads_one_chunk_even_for_one(seed):
    stream = DrawStream(seed, "one")
    assert stream.below(1) == 0
    assert stream.chunks_used == 1


@pytest.mark.parametrize("n", [0, -1, 2**64 + 1, True, 2.0])
def test_below_rejects_bad_bounds(seed, n):
    with pytest.raises(ValueError, match="below"):
        DrawStream(seed, "x").below(n)


def test_stream_rejects_bad_seed_or_purpose(seed):
    with pytest.raises(ValueError, match="seed"):
        DrawStream(b"short", "lottery")
    with pytest.raises(ValueError, match="purpose"):
        DrawStream(seed, "a\x00b")
    with pytest.raises(ValueError, match="purpose"):
        DrawStream(seed, "")


def test_shuffle_choose_pick(seed):
    items = list(range(10))
    shuffled = DrawStream(seed, "s").shuffle(items)
    assert sorted(shuffled) == items and shuffled != items
    assert items == list(range(10))  # input untouched
    assert DrawStream(seed, "s").choose(items, 3) == shuffled[:3]
    assert DrawStream(seed, "s").choose(items, 99) == shuffled
    stream = DrawStream(seed, "p")
    assert stream.pick("abc") == "abc"[DrawStream(seed, "p").below(3)]
    empty = DrawStream(seed, "s")
    assert empty.shuffle([]) == [] and empty.shuffle(["x"]) == ["x"] and empty.chunks_used == 0
    with pytest.raises(ValueError):
        stream.pick([])
    with pytest.raises(ValueError):
        stream.choose(items, -1)


def test_every_permutation_of_three_appears_evenly(seed):
    counts = Counter(tuple(DrawStream(seed, f"perm-{i}").shuffle("abc")) for i in range(6000))
    assert len(counts) == 6
    assert all(abs(count - 1000) <= 120 for count in counts.values()), counts


# ---- canonical order and convenience draws ---------------------------------------------------


def test_canonical_order_sorts_by_the_public_key_and_rejects_duplicates():
    rows = [{"code": C, "n": 1}, {"code": A, "n": 2}, {"code": B, "n": 3}]
    ordered = draws.canonical_order(rows, key=lambda row: row["code"])
    assert [row["code"] for row in ordered] == [A, B, C]
    with pytest.raises(ValueError, match="duplicate"):
        draws.canonical_order([A, A], key=str)


def test_convenience_vectors(seed):
    assert lottery(seed, CANDIDATES) == LOTTERY
    assert lottery(seed, sorted(CANDIDATES)) == LOTTERY  # input order does not matter
    assert coefficient(seed) == COEFFICIENT
    assert break_tie(seed, [C, B, A]) == TIE_OF_THREE
    assert shortlist(seed, CANDIDATES, 3) == SHORTLIST
    assert break_tie(seed, [A]) == [A]
    with pytest.raises(ValueError, match="duplicate"):
        lottery(seed, [A, B, A])


def test_lottery_traced_step_by_step_as_in_the_doc(seed):
    stream = DrawStream(seed, "lottery")
    assert [LOTTERY_CHUNKS[0] % 5, LOTTERY_CHUNKS[1] % 4, LOTTERY_CHUNKS[2] % 3] == [1, 0, 1]
    assert LOTTERY_CHUNKS[3] % 2 == 1
    assert stream.shuffle([A, B, C, D, E]) == LOTTERY
    assert int.from_bytes(DrawStream(seed, "coefficient").block(0)[:8], "big") % 4 == 3


# ---- the selection methods -------------------------------------------------------------------


def test_random_draw(seed):
    assert run_random_draw(seed, CANDIDATES, {}) == {"winner": D, "ranking": LOTTERY}


def test_too_few_quotes_fail_without_drawing(seed):
    failed = {"failed": "too_few_quotes", "count": 2, "min_quotes": 3}
    assert run_random_draw(seed, [A, B], {"min_quotes": 3}) == failed
    assert run_optimal_price(seed, [A, B], {"min_quotes": 3, "prices": {}}) == failed
    assert run_random_draw(seed, [], {})["failed"] == "too_few_quotes"


def test_lowest_price_ties_by_draw(seed):
    prices = {A: "90", B: "90.00", C: "90.0", D: "120", E: "95"}
    result = run_lowest_price(seed, CANDIDATES, {"prices": prices})
    assert result["tied"] == [A, B, C]
    assert result["ranking"][:3] == TIE_OF_THREE == break_tie(seed, [A, B, C])
    assert result == {"winner": A, "ranking": [A, C, B, E, D], "tied": [A, B, C]}
    assert run_lowest_price(seed, CANDIDATES, {"prices": prices}) == result  # reproducible


def test_lowest_price_without_tie(seed):
    result = run_lowest_price(seed, CANDIDATES, {"prices": PRICES})
    assert result == {"winner": B, "ranking": [B, A, E, C, D], "tied": [B]}


def test_optimal_price_worked_example(seed):
    # drop 120 and 80 → (100 + 90 + 95) / 3 = 95 → × 98 % = 93.10 → 95 (E) is closest
    result = run_optimal_price(seed, CANDIDATES, {"prices": PRICES})
    assert result == {
        "coefficient": 98,
        "reference": "93.10",
        "dropped_highest": "120",
        "dropped_lowest": "80",
        "winner": E,
        "ranking": [E, A, C, B, D],
        "tied": [E],
    }


@pytest.mark.parametrize(
    ("percent", "reference", "winner"),
    [(95, "90.25", A), (96, "91.20", A), (97, "92.15", A), (98, "93.10", E)],
)
def test_optimal_price_by_hand_for_every_coefficient(seed, percent, reference, winner):
    # average 95 after dropping 120 and 80; 92.15 is 2.15 from 90 (A) and 2.85 from 95 (E),
    # 93.10 is 3.10 from 90 and 1.90 from 95
    params = {"prices": PRICES, "coefficients": [percent]}
    result = run_optimal_price(seed, CANDIDATES, params)
    assert result["reference"] == reference
    expected_winner = min(PRICES, key=lambda k: abs(Decimal(PRICES[k]) - Decimal(reference)))
    assert result["winner"] == expected_winner == winner


def test_optimal_price_tie_is_broken_by_draw(seed):
    # drop 120 and 80 → (90 + 90 + 100) / 3 × 98 % = 91.4666… → 91.47; A and B both 1.47 away
    result = run_optimal_price(seed, CANDIDATES, {"prices": PRICES_TIED})
    assert result["reference"] == "91.47"
    assert result["tied"] == [A, B]
    assert result["winner"] == B == break_tie(seed, [A, B])[0]
    assert result["ranking"] == [B, A, C, D, E]


def test_optimal_price_drops_only_one_of_equal_extremes():
    prices = [Decimal(p) for p in ("100", "100", "90", "90", "95")]
    reference, dropped = optimal_price_reference(prices, 100)
    assert reference == Decimal("95.00")  # (90 + 95 + 100) / 3
    assert dropped == {"dropped_highest": "100", "dropped_lowest": "90"}


def test_optimal_price_with_fewer_than_three_drops_nothing():
    reference, dropped = optimal_price_reference([Decimal("100"), Decimal("90")], 95)
    assert reference == Decimal("90.25")
    assert dropped == {"dropped_highest": None, "dropped_lowest": None}


@pytest.mark.parametrize(
    ("prices", "percent", "expected"),
    [
        (["0.01", "0.02"], 100, "0.02"),  # 0.015 rounds half up
        (["10.10"], 95, "9.60"),  # 9.595 rounds half up
        (["10", "10", "10.01"], 95, "9.50"),  # 9.5 exactly (only 10 kept)
        (["1", "2", "2", "3"], 97, "1.94"),
        (["100", "101", "103", "200"], 95, "96.90"),  # 102 × 0.95
    ],
)
def test_optimal_price_reference_rounding(prices, percent, expected):
    amounts = [Decimal(p) for p in prices]
    reference, _ = optimal_price_reference(amounts, percent)
    assert str(reference) == expected
    kept = sorted(amounts)[1:-1] if len(amounts) >= 3 else amounts
    naive = (sum(kept) * percent / (len(kept) * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert reference == naive


def test_scored_highest_total_wins_ties_by_draw(seed):
    totals = {A: "88.5", B: "88.50", C: "70"}
    result = run_scored(seed, [A, B, C], {"totals": totals})
    assert result == {"winner": B, "ranking": [B, A, C], "tied": [A, B]}


def test_ties_further_down_use_their_own_purpose(seed):
    totals = {A: "90", B: "80", C: "80", D: "80", E: "70"}
    result = run_scored(seed, CANDIDATES, {"totals": totals})
    assert result["ranking"][0] == A and result["ranking"][-1] == E
    assert result["ranking"][1:4] == break_tie(seed, [B, C, D], "tiebreak-2")


def test_credit_merit_short_list(seed):
    result = run_credit_merit(seed, CANDIDATES, {"longlist": [A, B, C, D, E], "k": 3})
    assert result == {"longlist": [A, B, C, D, E], "shortlist": SHORTLIST}
    short = run_credit_merit(seed, CANDIDATES, {"longlist": [A, B], "k": 3})
    assert sorted(short["shortlist"]) == [A, B]


def test_credit_merit_long_list_from_scores(seed):
    scores = {A: "90", B: "95", C: "90", D: "90", E: "60"}
    params = {"credit_scores": scores, "longlist_size": 4, "k": 3}
    result = run_credit_merit(seed, CANDIDATES, params)
    assert result["longlist"] == [B, C, A, D]
    assert result["shortlist"] == shortlist(seed, [B, C, A, D], 3)


@pytest.mark.parametrize(
    ("function", "parameters", "message"),
    [
        (run_lowest_price, {"prices": {A: "1"}}, "exactly the candidates"),
        (run_lowest_price, {"prices": {A: "x", B: "1"}}, "not a decimal"),
        (run_lowest_price, {"prices": {A: 1.5, B: "1"}}, "decimal string"),
        (run_lowest_price, {"prices": {A: "-1", B: "1"}}, "negative"),
        (run_lowest_price, {"prices": {A: "NaN", B: "1"}}, "finite"),
        (run_optimal_price, {"prices": {A: "1", B: "1"}, "coefficients": []}, "coefficients"),
        (run_credit_merit, {"longlist": [A, "X"], "k": 1}, "not candidates"),
        (run_credit_merit, {"longlist": [A], "k": 0}, "'k'"),
        (run_scored, {"totals": [1, 2]}, "totals"),
        (run_random_draw, {"min_quotes": 0}, "min_quotes"),
    ],
)
def test_bad_parameters_raise(seed, function, parameters, message):
    with pytest.raises(ValueError, match=message):
        function(seed, [A, B], parameters)


# ---- records and verification ----------------------------------------------------------------


def _record(method: str, parameters: dict[str, Any]) -> DrawRecord:
    return make_record(method, SECRET, RECEIPTS, CANDIDATES, parameters)


@pytest.mark.parametrize(
    ("method", "parameters"),
    [
        ("random_draw", {"min_quotes": 3}),
        ("lowest_price", {"prices": PRICES}),
        ("optimal_price", {"prices": PRICES, "min_quotes": 3}),
        ("credit_merit", {"longlist": [A, B, C, D], "k": 3}),
        ("scored", {"totals": {A: "1", B: "2", C: "3", D: "4", E: "5"}}),
    ],
)
def test_every_method_round_trips_and_verifies(method, parameters):
    record = _record(method, parameters)
    assert record.receipts == sorted(RECEIPTS) and record.candidates == sorted(CANDIDATES)
    text = record.to_json()
    assert text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    again = DrawRecord.from_json(text)
    assert again == record
    result = verify(again, published_commitment=COMMITMENT)
    assert result.ok and result.problems == [] and bool(result)


def test_record_vector_for_the_lottery():
    record = _record("random_draw", {})
    assert record.to_json() == (
        '{"candidates":["91511422MA000001XA","91511422MA000002XB","91511422MA000003XC",'
        '"91511422MA000004XD","91511422MA000005XE"],'
        f'"commitment":"{COMMITMENT}","method":"random_draw","parameters":{{}},'
        f'"receipts":["{"11" * 32}","{"22" * 32}","{"33" * 32}"],'
        '"result":{"ranking":["91511422MA000004XD","91511422MA000003XC","91511422MA000005XE",'
        '"91511422MA000001XA","91511422MA000002XB"],"winner":"91511422MA000004XD"},'
        f'"secret":"{SECRET}"}}'
    )


def test_to_json_keeps_chinese_text_unescaped():
    record = _record("random_draw", {"note": "摇号"})
    assert "摇号" in record.to_json()


def test_verify_catches_a_tampered_secret():
    record = _record("random_draw", {})
    record.secret = "00" * 31 + "01"
    result = verify(record)
    assert not result.ok
    assert any("commitment mismatch" in problem for problem in result.problems)


def test_verify_catches_a_secret_swapped_together_with_its_commitment():
    record = _record("random_draw", {})
    record.secret = "ff" * 32
    record.commitment = commitment(record.secret)
    assert not verify(record).ok  # the result no longer matches
    result = verify(record, published_commitment=COMMITMENT)
    assert any("purchase notice" in problem for problem in result.problems)


def test_verify_catches_a_tampered_result():
    record = _record("random_draw", {})
    record.result["winner"] = A
    result = verify(record)
    assert not result.ok
    assert result.problems == [
        f"result['winner'] differs: recorded {A!r}, recomputed {D!r}",
    ]


def test_verify_catches_a_tampered_price():
    record = _record("optimal_price", {"prices": PRICES})
    record.parameters = {"prices": {**PRICES, A: "94"}}  # A moves next to the reference
    result = verify(record)
    assert not result.ok
    assert any("result['winner'] differs" in problem for problem in result.problems)
    assert any("result['reference'] differs" in problem for problem in result.problems)


def test_verify_catches_a_removed_receipt_and_bad_inputs():
    record = _record("random_draw", {})
    record.receipts = record.receipts[:2]
    assert not verify(record).ok
    record = _record("random_draw", {})
    record.receipts = ["nothex"]
    assert "receipts are malformed" in verify(record).problems[0]
    record = _record("random_draw", {})
    record.method = "rand()"
    assert "unknown method" in verify(record).problems[0]
    record = _record("lowest_price", {"prices": PRICES})
    record.parameters = {"prices": {A: "1"}}
    assert "cannot re-run lowest_price" in verify(record).problems[0]
    record = _record("random_draw", {})
    record.secret = "short"
    assert "secret is malformed" in verify(record).problems[0]
    record = _record("random_draw", {})
    record.result["extra"] = 1
    del record.result["ranking"]
    assert len(verify(record).problems) == 2


def test_from_json_rejects_malformed_records():
    with pytest.raises(ValueError, match="object"):
        DrawRecord.from_json("[]")
    with pytest.raises(ValueError, match="receipts"):
        DrawRecord.from_json(
            '{"method":"random_draw","secret":"","commitment":"","receipts":1,'
            '"candidates":[],"parameters":{},"result":{}}'
        )
    with pytest.raises(ValueError, match="unknown fields"):
        DrawRecord.from_json('{"rand":1}')


# ---- the reference implementation in docs/selection.md ------------------------------------


def _reference_namespace() -> dict[str, Any]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- reference-implementation -->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/selection.md lost its reference implementation block"
    code = match.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 40  # short enough to read
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_reference_implementation_in_the_doc_matches_the_module():
    ref = _reference_namespace()
    seed = ref["draw_seed"](SECRET, RECEIPTS)
    assert seed == draw_seed(SECRET, RECEIPTS) and seed.hex() == SEED_HEX
    assert ref["lottery"](seed, CANDIDATES) == lottery(seed, CANDIDATES) == LOTTERY
    assert ref["break_tie"](seed, [C, B, A]) == TIE_OF_THREE
    assert ref["shortlist"](seed, CANDIDATES, 3) == SHORTLIST
    assert ref["coefficient"](seed) == coefficient(seed) == COEFFICIENT
    stream, own = ref["Stream"](seed, "lottery"), DrawStream(seed, "lottery")
    assert [stream.chunk() for _ in range(4)] == LOTTERY_CHUNKS
    [own.next_chunk() for _ in range(4)]
    for n in (1, 2, 3, 7, 1000, 2**63 + 1, 2**64):
        assert stream.below(n) == own.below(n)
    for purpose in ("shortlist", "tiebreak-2", "bias"):
        a, b = ref["Stream"](seed, purpose), DrawStream(seed, purpose)
        for n in (1, 2, 3, 7, 1000, 2**63 + 1, 2**64, 5):
            assert a.below(n) == b.below(n)
    for secret in (new_secret() for _ in range(20)):
        other = ref["draw_seed"](secret, RECEIPTS[:1])
        assert other == draw_seed(secret, RECEIPTS[:1])
        assert ref["lottery"](other, CANDIDATES) == lottery(other, CANDIDATES)


def test_doc_states_the_pinned_vectors():
    text = DOC.read_text(encoding="utf-8")
    for value in (COMMITMENT, SEED_HEX, SEED_NO_RECEIPTS_HEX, LOTTERY_BLOCK0, "93.10", "91.47"):
        assert value in text
    assert ", ".join(str(c) for c in LOTTERY_CHUNKS) in text


# ---- the further vectors of docs/selection.md -----------------------------------------------
BEACON = "ff" * 32
SEED_BEACON_HEX = "087760e8186e75d022d23be6dbaeaa5997f08a18a65c7fc2c8d1ed1631aa9f34"


def test_seed_with_a_beacon_vector_in_the_module_the_reference_and_the_doc(seed):
    ref = _reference_namespace()
    with_beacon = draw_seed(SECRET, RECEIPTS, BEACON)
    assert with_beacon.hex() == SEED_BEACON_HEX
    assert ref["draw_seed"](SECRET, RECEIPTS, BEACON) == with_beacon
    assert lottery(with_beacon, CANDIDATES) == [C, B, A, E, D]
    assert with_beacon != seed
    assert SEED_BEACON_HEX in DOC.read_text(encoding="utf-8")


def test_ties_in_two_groups_vector(seed):
    totals = {A: "90", B: "90", C: "80", D: "80", E: "70"}
    result = run_scored(seed, CANDIDATES, {"totals": totals})
    assert result == {"winner": B, "ranking": [B, A, D, C, E], "tied": [A, B]}


def test_lowest_price_tie_vector(seed):
    prices = {A: "100", B: "90", C: "90.00", D: "120"}
    result = run_lowest_price(seed, [A, B, C, D], {"prices": prices})
    assert result == {"winner": C, "ranking": [C, B, A, D], "tied": [B, C]}


def test_fewer_than_three_quotes_vector(seed):
    assert run_random_draw(seed, [A, B], {"min_quotes": 3}) == {
        "failed": "too_few_quotes",
        "count": 2,
        "min_quotes": 3,
    }


def test_rejected_chunk_vector(seed):
    stream = DrawStream(seed, "lottery")
    assert stream.below(2**63 + 1) == 4561183225063082149
    assert stream.chunks_used == 3
