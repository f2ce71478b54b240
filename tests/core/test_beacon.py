"""The randomness beacon: round arithmetic, signature checks, the client against the local
beacon served over real HTTP on 127.0.0.1, and the run_beacon command."""

import datetime
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from core import beacon as beacon_module
from core.beacon import (
    BeaconInvalid,
    BeaconRound,
    BeaconUnavailable,
    Chain,
    LocalBeacon,
    RoundNotReached,
    configured_chain,
    drand_chain_hash,
    fetch_round,
    fetch_round_kept,
    local_beacon,
    verify_round,
)
from core.beacon_server import BeaconHTTPServer, beacon_server
from tests.core.test_settings import _start_production

UTC = datetime.UTC
QUICKNET = Chain(
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d"
        "1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8"
        "991ef5ece45a"
    ),
    period=3,
    genesis_time=1692803367,
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
)
# A real quicknet round, as api.drand.sh serves it.
QUICKNET_ROUND = 657413
QUICKNET_SIGNATURE = (
    "b713718a38ae728dfd477991af2822e08d2f305e47718cef"
    "9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b"
)
QUICKNET_RANDOMNESS = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"

# The test clock: one second after round 100 of the configured (local) chain.
NOW_ROUND = 100


def _clock(round: int = NOW_ROUND, seconds_after: float = 1.0):
    moment = configured_chain().round_time(round) + datetime.timedelta(seconds=seconds_after)
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def clock():
    with _clock() as traveller:
        yield traveller


def _serve(beacon: LocalBeacon) -> Iterator[BeaconHTTPServer]:
    server = beacon_server(beacon, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _url(server: BeaconHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


@pytest.fixture
def served(settings) -> Iterator[BeaconHTTPServer]:
    """The local beacon on a free port of 127.0.0.1, and the client pointed at it."""
    for server in _serve(local_beacon()):
        settings.BEACON_URL = _url(server)
        yield server


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — 127.0.0.1
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Round arithmetic ------------------------------------------------------------------------------


def test_round_times_follow_drand():
    chain = Chain(public_key="", period=3, genesis_time=1_000_000, chain_hash="")
    genesis = datetime.datetime.fromtimestamp(1_000_000, UTC)
    second = datetime.timedelta(seconds=1)

    assert chain.round_time(1) == genesis
    assert chain.round_time(4) == genesis + 9 * second
    assert chain.round_time(4).tzinfo is not None
    assert chain.round_at(genesis) == 1
    assert chain.round_at(genesis + 2.999 * second) == 1
    assert chain.round_at(genesis + 3 * second) == 2
    assert chain.round_at(genesis - second) == 0  # before genesis there is no round
    # Any time zone, same instant.
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    assert chain.round_at((genesis + 9 * second).astimezone(beijing)) == 4


def test_first_round_after_a_round_time_is_the_next_round():
    chain = Chain(public_key="", period=3, genesis_time=1_000_000, chain_hash="")
    genesis = datetime.datetime.fromtimestamp(1_000_000, UTC)

    # Exactly at round 5's time round 5 exists already: the first round after is 6.
    assert chain.first_round_after(chain.round_time(5)) == 6
    assert chain.first_round_after(chain.round_time(5) + datetime.timedelta(microseconds=1)) == 6
    assert chain.first_round_after(chain.round_time(6) - datetime.timedelta(microseconds=1)) == 6
    assert chain.first_round_after(genesis - datetime.timedelta(days=1)) == 1


def test_round_arithmetic_refusals():
    chain = Chain(public_key="", period=3, genesis_time=1_000_000, chain_hash="")

    with pytest.raises(ValueError, match="Rounds start at 1"):
        chain.round_time(0)
    with pytest.raises(ValueError, match="naive"):
        chain.round_at(datetime.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="positive number of seconds"):
        Chain(public_key="", period=0, genesis_time=1, chain_hash="")


def test_quicknet_round_times():
    assert QUICKNET.round_time(QUICKNET_ROUND) == datetime.datetime.fromtimestamp(
        1692803367 + (QUICKNET_ROUND - 1) * 3, UTC
    )


# Verification ----------------------------------------------------------------------------------


def test_a_real_quicknet_round_verifies():
    assert verify_round(QUICKNET, QUICKNET_ROUND, QUICKNET_SIGNATURE) == BeaconRound(
        round=QUICKNET_ROUND, signature=QUICKNET_SIGNATURE, randomness=QUICKNET_RANDOMNESS
    )
    # Upper-case hex is the same signature.
    assert verify_round(QUICKNET, QUICKNET_ROUND, QUICKNET_SIGNATURE.upper()).signature == (
        QUICKNET_SIGNATURE
    )


def test_drands_chain_hash_formula_gives_quicknets_hash():
    assert (
        drand_chain_hash(
            public_key=QUICKNET.public_key,
            period=3,
            genesis_time=1692803367,
            group_hash="f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e",
            beacon_id="quicknet",
        )
        == QUICKNET.chain_hash
    )


def test_local_signatures_verify(clock):
    beacon = local_beacon()
    for round in (1, 2, NOW_ROUND):
        signed = beacon.sign(round)
        assert verify_round(beacon.chain(), round, signed.signature) == signed
        assert len(signed.signature) == 96
        assert len(signed.randomness) == 64


def _flip_first_byte(signature: str) -> str:
    return f"{int(signature[:2], 16) ^ 0x01:02x}{signature[2:]}"


@pytest.mark.parametrize(
    ("round", "signature", "message"),
    [
        (QUICKNET_ROUND + 1, QUICKNET_SIGNATURE, "does not verify against the chain's public key"),
        (QUICKNET_ROUND, _flip_first_byte(QUICKNET_SIGNATURE), "does not verify"),
        (QUICKNET_ROUND, QUICKNET_SIGNATURE[:-2], "is 47 bytes long; a bls-unchained-g1-rfc9380"),
        (QUICKNET_ROUND, QUICKNET_SIGNATURE + "00", "is 49 bytes long"),
        (QUICKNET_ROUND, QUICKNET_SIGNATURE[:-1], "odd number of hex digits"),
        (QUICKNET_ROUND, "zz" + QUICKNET_SIGNATURE[2:], "not hexadecimal"),
        (
            QUICKNET_ROUND,
            QUICKNET_SIGNATURE[:48] + " " + QUICKNET_SIGNATURE[48:],
            "not hexadecimal",
        ),
        (QUICKNET_ROUND, None, "not hexadecimal"),
        (QUICKNET_ROUND, "", "is 0 bytes long"),
        (0, QUICKNET_SIGNATURE, "not a beacon round"),
        (2**64, QUICKNET_SIGNATURE, "not a beacon round"),
        (True, QUICKNET_SIGNATURE, "not a beacon round"),
    ],
)
def test_a_bad_signature_is_refused(round, signature, message):
    with pytest.raises(BeaconInvalid, match=message):
        verify_round(QUICKNET, round, signature)


@pytest.mark.parametrize(
    ("public_key", "message"),
    [
        ("00" * 96, "public key is not a point of G2"),
        ("83cf", "public key is 2 bytes long"),
        ("c0" + "00" * 95, "public key is not a usable point"),  # the point at infinity
        ("xyz", "public key is not hexadecimal"),
    ],
)
def test_a_bad_public_key_is_refused_not_a_crash(public_key, message):
    # drand_verify panics on a malformed key; the chain's key is checked before it is asked.
    chain = Chain(public_key=public_key, period=3, genesis_time=1692803367, chain_hash="")
    with pytest.raises(BeaconInvalid, match=message):
        verify_round(chain, QUICKNET_ROUND, QUICKNET_SIGNATURE)


def test_another_chains_signature_is_refused(clock):
    signed = local_beacon().sign(NOW_ROUND)
    with pytest.raises(BeaconInvalid, match="does not verify"):
        verify_round(QUICKNET, NOW_ROUND, signed.signature)


# The local signer ------------------------------------------------------------------------------


def test_local_beacon_refuses_to_sign_a_future_round(clock):
    beacon = local_beacon()
    with pytest.raises(RoundNotReached, match=f"Round {NOW_ROUND + 1} is not due yet"):
        beacon.sign(NOW_ROUND + 1)
    with pytest.raises(RoundNotReached):
        beacon.sign(2**64 - 1)  # beyond the calendar
    # Exactly at its time a round may be signed.
    with _clock(NOW_ROUND + 1, seconds_after=0):
        assert beacon.sign(NOW_ROUND + 1).round == NOW_ROUND + 1


def test_local_beacon_info_is_drands(clock):
    beacon = local_beacon()
    info = beacon.info()
    assert info == {
        "public_key": settings.BEACON_PUBLIC_KEY,
        "period": settings.BEACON_PERIOD,
        "genesis_time": settings.BEACON_GENESIS,
        "hash": settings.BEACON_CHAIN_HASH,
        "groupHash": beacon.group_hash,
        "schemeID": "bls-unchained-g1-rfc9380",
        "metadata": {"beaconID": "zjcs-local"},
    }
    assert info["hash"] == drand_chain_hash(
        public_key=info["public_key"],
        period=info["period"],
        genesis_time=info["genesis_time"],
        group_hash=info["groupHash"],
        beacon_id=info["metadata"]["beaconID"],
    )
    assert settings.BEACON_LOCAL_SECRET_KEY not in repr(beacon)


def test_the_committed_chain_is_the_committed_secrets():
    """BEACON_PUBLIC_KEY and BEACON_CHAIN_HASH default to constants in base.py; they must be
    the local secret key's, or the demo's draws would find no round they trust."""
    assert configured_chain() == local_beacon().chain()
    assert settings.BEACON_PUBLIC_KEY == settings.BEACON_DEMO_PUBLIC_KEY


def test_local_beacon_refuses_a_key_out_of_range():
    with pytest.raises(ValueError, match="secret key"):
        LocalBeacon(0, genesis_time=1, period=3)


def test_no_local_beacon_without_its_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.BEACON_LOCAL_SECRET_KEY = None
    with pytest.raises(ImproperlyConfigured, match="BEACON_LOCAL_SECRET_KEY"):
        local_beacon()


# The client against the local server -----------------------------------------------------------


def test_fetch_a_past_round(clock, served):
    fetched = fetch_round(NOW_ROUND - 10)
    assert fetched == local_beacon().sign(NOW_ROUND - 10)
    # The current round too (its time has just come).
    assert fetch_round(NOW_ROUND).round == NOW_ROUND


def test_a_kept_round_is_read_back_without_the_network_and_checked_again(clock, served, settings):
    kept = fetch_round_kept(NOW_ROUND - 3)
    assert kept == local_beacon().sign(NOW_ROUND - 3)
    settings.BEACON_URL = "http://127.0.0.1:9"  # the beacon is gone: the kept round serves
    assert fetch_round_kept(NOW_ROUND - 3) == kept
    # A kept value that is not the chain's signature is not trusted: the beacon is asked again.
    cache.set(f"beacon:{configured_chain().chain_hash}:{NOW_ROUND - 3}", "00" * 48)
    with pytest.raises(BeaconUnavailable):
        fetch_round_kept(NOW_ROUND - 3)


def test_a_future_round_is_none_and_not_asked_for(clock, served, monkeypatch):
    asked = []
    monkeypatch.setattr(beacon_module.urllib.request, "urlopen", lambda *a, **k: asked.append(a))

    assert fetch_round(NOW_ROUND + 1) is None
    assert fetch_round(2**64 - 1) is None
    assert asked == []


def test_a_round_due_by_our_clock_but_not_the_beacons_is_none(settings, clock):
    # Our clock is ahead of the beacon's: it answers as drand's relay does (425), and a round
    # due a moment ago is simply not there yet.
    class BehindBeacon(LocalBeacon):
        def sign(self, round):
            raise RoundNotReached(f"Round {round} is not due yet.")

    for server in _serve(_like_local(BehindBeacon)):
        settings.BEACON_URL = _url(server)
        assert fetch_round(NOW_ROUND) is None
        # A round due long ago that the beacon still denies is a fault, not a wait.
        with pytest.raises(BeaconUnavailable, match=f"says round {NOW_ROUND - 30} does not exist"):
            fetch_round(NOW_ROUND - 30)


def _like_local(cls: type[LocalBeacon]) -> LocalBeacon:
    return cls(
        int(settings.BEACON_LOCAL_SECRET_KEY, 16),
        genesis_time=settings.BEACON_GENESIS,
        period=settings.BEACON_PERIOD,
    )


class WrongSignatureBeacon(LocalBeacon):
    """Serves the previous round's signature (and its true randomness) for every round."""

    def sign(self, round):
        other = super().sign(round - 1)
        return BeaconRound(round=round, signature=other.signature, randomness=other.randomness)


class WrongRandomnessBeacon(LocalBeacon):
    def sign(self, round):
        signed = super().sign(round)
        return BeaconRound(round=round, signature=signed.signature, randomness="00" * 32)


class WrongRoundBeacon(LocalBeacon):
    def sign(self, round):
        return super().sign(round - 1)


@pytest.mark.parametrize(
    ("beacon_class", "error", "message"),
    [
        (WrongSignatureBeacon, BeaconInvalid, "does not verify against the chain's public key"),
        (WrongRandomnessBeacon, BeaconInvalid, "randomness for round 90 is not SHA-256"),
        (WrongRoundBeacon, BeaconUnavailable, "answered round 89 when asked for round 90"),
    ],
)
def test_a_lying_beacon_is_caught(settings, clock, beacon_class, error, message):
    for server in _serve(_like_local(beacon_class)):
        settings.BEACON_URL = _url(server)
        with pytest.raises(error, match=message):
            fetch_round(90)


def test_a_beacon_that_is_down_is_unavailable(settings, clock):
    settings.BEACON_URL = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(BeaconUnavailable, match="could not be reached for round 90"):
        fetch_round(90)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>not json</html>", "is not JSON"),
        (200, b"[1, 2]", "is not a JSON object"),
        (200, b'{"round": 90}', "lacks its signature"),
        (500, b"Failed to get beacon", "answered 500"),
        (400, b"unknown chain hash", "answered 400"),
    ],
)
def test_an_unusable_answer_is_unavailable(settings, clock, status, body, message):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Canned(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.BEACON_URL = _url(server)
        with pytest.raises(BeaconUnavailable, match=message):
            fetch_round(90)
    finally:
        server.shutdown()
        server.server_close()


def test_only_http_addresses_are_asked(settings, clock):
    settings.BEACON_URL = "file:///etc"
    with pytest.raises(BeaconUnavailable, match="must be an http"):
        fetch_round(90)


# The server's API ------------------------------------------------------------------------------


def test_the_server_answers_as_drand(clock, served):
    base = _url(served)
    chain = configured_chain()

    for path in ("/info", f"/{chain.chain_hash}/info"):
        status, headers, body = _get(base + path)
        assert status == 200
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == local_beacon().info()

    status, headers, body = _get(f"{base}/{chain.chain_hash}/public/{NOW_ROUND - 1}")
    signed = local_beacon().sign(NOW_ROUND - 1)
    assert status == 200
    assert json.loads(body) == {
        "round": NOW_ROUND - 1,
        "randomness": signed.randomness,
        "signature": signed.signature,
    }
    assert "immutable" in headers["Cache-Control"]

    status, headers, body = _get(f"{base}/{chain.chain_hash}/public/latest")
    assert status == 200
    assert json.loads(body)["round"] == NOW_ROUND
    assert "no-cache" in headers["Cache-Control"]
    assert json.loads(_get(f"{base}/public/latest")[2])["round"] == NOW_ROUND


def test_the_server_refuses_a_future_round_as_drands_relay(clock, served):
    chain = configured_chain()
    status, headers, body = _get(f"{_url(served)}/{chain.chain_hash}/public/{NOW_ROUND + 1}")
    assert (status, body) == (425, b"Requested future beacon\n")
    assert "no-cache" in headers["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 404),
        ("/health", 404),
        ("/" + "0" * 64 + "/info", 404),  # another chain
        ("/" + "0" * 64 + "/public/1", 404),
        ("/{hash}/public/abc", 400),
        ("/{hash}/public/-1", 400),
        ("/{hash}/public/18446744073709551616", 400),  # 2**64
        ("/{hash}/public/18446744073709551615", 425),  # 2**64 - 1, beyond the calendar
        ("/{hash}/public/1/more", 404),
    ],
)
def test_the_server_refuses_what_drand_refuses(clock, served, path, status):
    url = _url(served) + path.replace("{hash}", configured_chain().chain_hash)
    assert _get(url)[0] == status


def test_latest_before_genesis_is_not_found(served):
    chain = configured_chain()
    with time_machine.travel(chain.genesis - datetime.timedelta(hours=1), tick=False):
        assert _get(f"{_url(served)}/{chain.chain_hash}/public/latest")[0] == 404


# The command ------------------------------------------------------------------------------------


def test_run_beacon_listens_on_loopback_only(monkeypatch, capsys):
    bound = []
    monkeypatch.setattr(BeaconHTTPServer, "serve_forever", lambda self: bound.append(self))

    call_command("run_beacon", "--port", "0")

    assert bound[0].server_address[0] == "127.0.0.1"
    assert "on http://127.0.0.1:" in capsys.readouterr().out


def test_run_beacon_takes_its_port_from_beacon_url(settings, monkeypatch):
    port = _free_port()
    settings.BEACON_URL = f"http://127.0.0.1:{port}"
    bound = []
    monkeypatch.setattr(BeaconHTTPServer, "serve_forever", lambda self: bound.append(self))

    call_command("run_beacon")

    assert bound[0].server_address == ("127.0.0.1", port)


def test_run_beacon_refuses_without_a_local_key(settings):
    from django.core.management import CommandError

    settings.BEACON_LOCAL_SECRET_KEY = None
    with pytest.raises(CommandError, match="BEACON_LOCAL_SECRET_KEY is not set"):
        call_command("run_beacon", "--port", "0")


# Production ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_production_refuses_the_demo_beacon_key():
    result = _start_production({"BEACON_PUBLIC_KEY": settings.BEACON_DEMO_PUBLIC_KEY.upper()})
    assert result.returncode != 0
    assert "BEACON_PUBLIC_KEY is the demo's beacon key" in result.stderr
