"""The transparency log: appends, signed checkpoints, proofs anyone can check, and
`verify_log` failing on every way its rows can be tampered with."""

import base64
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from core import merkle
from core.models import LogCheckpoint, LogEntry, LogHead
from core.transparency import (
    checkpoint_document,
    log_append,
    verify_checkpoint,
    verify_kept_checkpoint,
    verify_log,
)

pytestmark = pytest.mark.django_db


def _fill(count: int, start: int = 0) -> list[LogEntry]:
    return [
        log_append(kind="receipt", subject=f"ZJCG-2026-{n:04d}", data={"n": n, "名": "回执"})
        for n in range(start, start + count)
    ]


def _problems() -> list[str]:
    return verify_log().problems


def test_each_append_makes_a_signed_checkpoint_and_the_log_verifies():
    entries = _fill(5)
    assert [entry.index for entry in entries] == [0, 1, 2, 3, 4]
    assert list(LogCheckpoint.objects.values_list("size", flat=True)) == [1, 2, 3, 4, 5]
    body = json.loads(entries[1].body)
    assert body == {
        "index": 1,
        "kind": "receipt",
        "subject": "ZJCG-2026-0001",
        "logged_at": body["logged_at"],
        "data": {"n": 1, "名": "回执"},
    }
    assert '"名":"回执"' in entries[1].body  # canonical: UTF-8, not escaped
    leaves = [merkle.leaf_hash(entry.body.encode()) for entry in entries]
    latest = LogCheckpoint.objects.get(size=5)
    assert latest.root_hash == merkle.Tree(leaves).root().hex()
    assert verify_checkpoint(checkpoint_document(latest))
    report = verify_log()
    assert report.ok and (report.size, report.checkpoints) == (5, 5)
    call_command("verify_log")


def test_a_checkpoint_signed_with_another_key_or_changed_does_not_verify():
    _fill(2)
    document = checkpoint_document(LogCheckpoint.objects.get(size=2))
    other_key = base64.b64encode(b"\x01" * 32).decode()
    assert not verify_checkpoint(document, key=other_key)
    assert not verify_checkpoint({**document, "size": 3})
    assert not verify_checkpoint({**document, "root_hash": "00" * 32})
    assert not verify_checkpoint({**document, "signature": "not base64!"})


def test_the_json_documents_prove_inclusion_and_consistency(client):
    _fill(7)
    checkpoint = client.get("/transparency/checkpoint.json").json()
    assert checkpoint["size"] == 7 and verify_checkpoint(checkpoint)
    assert checkpoint["text"].startswith("zjcs.demo/transparency\n7\n")

    proof = client.get("/transparency/entries/3.json?size=5").json()
    assert proof["checkpoint"]["size"] == 5
    assert merkle.verify_inclusion(
        merkle.leaf_hash(proof["body"].encode()),
        3,
        5,
        [bytes.fromhex(node) for node in proof["inclusion_proof"]],
        bytes.fromhex(proof["checkpoint"]["root_hash"]),
    )
    consistency = client.get("/transparency/consistency.json?first=3&second=7").json()
    assert merkle.verify_consistency(
        3,
        7,
        bytes.fromhex(consistency["first"]["root_hash"]),
        bytes.fromhex(consistency["second"]["root_hash"]),
        [bytes.fromhex(node) for node in consistency["consistency_proof"]],
    )
    # An entry is not in a checkpoint made before it; sizes that no checkpoint has are 404.
    assert client.get("/transparency/entries/6.json?size=5").status_code == 404
    assert client.get("/transparency/checkpoint.json?size=99").status_code == 404
    assert client.get(f"/transparency/checkpoint.json?size={2**64}").status_code == 404
    assert client.get("/transparency/consistency.json?first=7&second=3").status_code == 404


def test_an_empty_log_has_a_page_and_no_checkpoint(client):
    page = client.get("/transparency/")
    assert page.status_code == 200
    assert "尚无记录。" in page.content.decode()
    assert client.get("/transparency/checkpoint.json").status_code == 404


def test_the_page_lists_entries_newest_first_with_a_constant_query_count(client):
    _fill(3)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/transparency/")
        assert response.status_code == 200
        return response, len(queries)

    response, small = count()
    assert [entry.index for entry in response.context["entries"]] == [2, 1, 0]
    _fill(30, start=3)
    response, large = count()
    assert large == small
    assert response.context["page"].paginator.count == 33
    filtered = client.get("/transparency/?subject=ZJCG-2026-0004")
    assert [entry.index for entry in filtered.context["entries"]] == [4]


# Tampering: each way an operator with database access could rewrite history ------------------


def test_verify_log_fails_when_an_entry_body_is_edited():
    _fill(4)
    LogEntry.objects.filter(index=2).update(
        body=LogEntry.objects.get(index=2).body.replace("2", "9")
    )
    assert "第 2 条：内容与其叶哈希不符。" in _problems()
    with pytest.raises(CommandError, match="The log does NOT verify"):
        call_command("verify_log")


def test_verify_log_fails_when_a_body_and_its_leaf_hash_are_edited_together():
    _fill(4)
    entry = LogEntry.objects.get(index=1)
    body = entry.body.replace('"n":1', '"n":7')
    LogEntry.objects.filter(pk=entry.pk).update(
        body=body, leaf_hash=merkle.leaf_hash(body.encode()).hex()
    )
    problems = _problems()
    assert "检查点 2：日志前 2 条的根哈希与之不同。" in problems
    assert "检查点 4：日志前 4 条的根哈希与之不同。" in problems


def test_verify_log_fails_when_an_entry_is_deleted():
    _fill(4)
    LogEntry.objects.filter(index=1).delete()
    problems = _problems()
    assert "第 2 条出现在第 1 条应在的位置。" in problems
    assert "检查点 4 比日志还长。" in problems


def test_verify_log_fails_when_entries_are_reordered():
    _fill(4)
    first, second = LogEntry.objects.get(index=1), LogEntry.objects.get(index=2)
    LogEntry.objects.filter(pk=first.pk).update(index=99)
    LogEntry.objects.filter(pk=second.pk).update(index=1)
    LogEntry.objects.filter(pk=first.pk).update(index=2)
    problems = _problems()
    assert "第 1 条：内容与其种类、编号、时间或位置不符。" in problems
    assert "检查点 4：日志前 4 条的根哈希与之不同。" in problems


def test_a_whole_rewritten_history_is_caught_by_whoever_kept_a_checkpoint():
    _fill(3)
    kept = checkpoint_document(LogCheckpoint.objects.get(size=3))
    assert verify_kept_checkpoint(kept) == []
    # The operator holds the key, so it can rebuild the log from scratch, re-signed: the log is
    # consistent in itself again...
    LogEntry.objects.all().delete()
    LogCheckpoint.objects.all().delete()
    LogHead.objects.all().delete()
    log_append(kind="receipt", subject="ZJCG-2026-0000", data={"n": 0, "名": "回执"})
    log_append(kind="receipt", subject="ZJCG-2026-0001", data={"n": 1, "名": "改过"})
    _fill(2, start=2)
    assert verify_log().ok
    # ...but it cannot prove that it extends the checkpoint an agency kept.
    assert verify_kept_checkpoint(kept) == ["今天的日志并不延续所保存的检查点：其历史已被改写。"]


def test_verify_log_with_a_kept_checkpoint_file(tmp_path):
    _fill(2)
    saved = tmp_path / "kept.json"
    saved.write_text(json.dumps(checkpoint_document(LogCheckpoint.objects.get(size=2))))
    _fill(2, start=2)
    call_command("verify_log", checkpoint=saved)
    LogEntry.objects.filter(index__gte=1).delete()
    LogCheckpoint.objects.filter(size__gte=2).delete()
    with pytest.raises(CommandError, match="The log does NOT verify"):
        call_command("verify_log", checkpoint=saved)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_unbroken_log():
    """Appends from many connections at once are serialised on the head row: no index is
    taken twice or skipped, and every checkpoint verifies."""
    workers = 8
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        start.wait()
        try:
            for n in range(5):
                log_append(kind="receipt", subject=f"W{worker}", data={"n": n})
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(workers * 5))
    assert verify_log().ok
