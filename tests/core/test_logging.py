import io
import json
import logging

import pytest
import structlog


@pytest.fixture
def json_log():
    """Everything logged during the test, through the configured formatter, one line each."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(root.handlers[0].formatter)
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous_level)


@pytest.mark.django_db
def test_each_request_is_logged_with_its_request_id(client, json_log):
    client.get("/healthz", HTTP_X_REQUEST_ID="req-abc-123")
    finished = [event for event in json_log() if event["event"] == "request_finished"]
    assert len(finished) == 1
    assert finished[0]["request_id"] == "req-abc-123"
    assert finished[0]["code"] == 200


def test_our_lines_and_library_lines_are_one_json_object_each(json_log):
    structlog.get_logger("zjcs.test").warning("quote_sealed", request_number="ZJCG-1")
    logging.getLogger("zjcs.test.stdlib").warning("plain %s", "message")
    events = json_log()
    assert events[0]["event"] == "quote_sealed"
    assert events[0]["request_number"] == "ZJCG-1"
    assert events[0]["level"] == "warning"
    assert events[1]["event"] == "plain message"
    assert "timestamp" in events[1]


@pytest.mark.django_db
def test_finding_6_the_log_records_the_client_address_the_throttles_use(client, json_log, settings):
    settings.TRUSTED_PROXIES = []
    client.get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.66", REMOTE_ADDR="198.51.100.7")
    settings.TRUSTED_PROXIES = ["198.51.100.7"]
    client.get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.66", REMOTE_ADDR="198.51.100.7")
    finished = [event for event in json_log() if event["event"] == "request_finished"]
    # A forged header is not logged as the client; behind our proxy, the client it names is.
    assert [event["ip"] for event in finished] == ["198.51.100.7", "203.0.113.66"]
