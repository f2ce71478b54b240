import pytest
from wagtail.search.backends import get_search_backend

from catalogue.models import ServiceItem
from catalogue.selectors import service_item_published, service_item_search
from core.search import index_tokens, query_tokens
from tests.catalogue.factories import ServiceItemFactory

HUAN, JING, HUANJING = "h73af", "h5883", "h73af5883"  # 环, 境, 环境


def test_han_text_is_indexed_as_characters_and_overlapping_pairs():
    assert index_tokens("环境") == f"{HUAN} {JING} {HUANJING}"
    assert len(index_tokens("环境影响评价").split()) == 6 + 5


def test_a_query_of_several_characters_asks_for_every_pair():
    assert query_tokens("环境影") == f"{HUANJING} h58835f71"


def test_a_one_character_query_asks_for_that_character():
    assert query_tokens("环") == HUAN


def test_latin_words_and_numbers_stay_whole_and_lowercased():
    assert index_tokens("GB 50011") == "gb 50011"
    assert query_tokens("GB") == "gb"


def test_tokens_are_plain_ascii_words_every_tokenizer_keeps_whole():
    assert index_tokens("环境影响评价，GB-50011").isascii()


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("评价", True),
        ("影响评价", True),
        ("环境影响评价文件编制", True),
        ("环", True),
        ("价评", False),  # the same characters in another order are another word
        ("水土保持", False),
    ],
)
def test_searching_part_of_a_chinese_name(
    search_index, django_capture_on_commit_callbacks, query, finds
):
    # The trap this guards against: a whole run of Han characters indexed as one token, so
    # 评价 would not find 环境影响评价. Runs on whichever backend is configured.
    with django_capture_on_commit_callbacks(execute=True):  # the index is updated on commit
        wanted = ServiceItemFactory(name="环境影响评价文件编制")
        ServiceItemFactory(name="房产测绘")
    search_index.refresh()

    found = [item.pk for item in service_item_search(service_item_published(), query)]
    assert found == ([wanted.pk] if finds else [])


def test_search_leaves_out_unpublished_items(search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ServiceItemFactory(name="地震安全性评价", status=ServiceItem.Status.DRAFT)
    search_index.refresh()
    assert list(service_item_search(service_item_published(), "地震")) == []


@pytest.mark.elasticsearch
def test_the_catalogue_is_indexed_in_elasticsearch(
    search_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ServiceItemFactory.create_batch(3)
    search_index.refresh()

    backend = get_search_backend()
    index = backend.get_index_for_model(ServiceItem)
    assert backend.es.count(index=index.name)["count"] == 3


def test_an_index_update_waits_for_the_commit(search_index, django_capture_on_commit_callbacks):
    # Saving queues the update; until the transaction commits the search does not see it.
    with django_capture_on_commit_callbacks() as queued:
        ServiceItemFactory(name="环境影响评价文件编制")
    search_index.refresh()
    assert list(service_item_search(service_item_published(), "评价")) == []

    for callback in queued:
        callback()
    search_index.refresh()
    assert len(list(service_item_search(service_item_published(), "评价"))) == 1


def test_an_update_elasticsearch_refuses_is_retried_and_the_database_index_is_kept(
    db, settings, django_capture_on_commit_callbacks
):
    from celery.signals import task_retry

    from core.tasks import search_index_update

    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "core.search_backends",
            "URLS": ["http://127.0.0.1:1"],  # nothing listens there
            "INDEX_PREFIX": "test_down_",
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    retries = []

    def count(sender=None, request=None, **kwargs):
        retries.append(tuple(request.args[:2]))

    task_retry.connect(count, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ServiceItemFactory(name="环境影响评价文件编制")
    finally:
        task_retry.disconnect(count)

    item_retries = [args for args in retries if args[1] == "catalogue.ServiceItem"]
    assert item_retries == [("default", "catalogue.ServiceItem")] * search_index_update.max_retries
    database = get_search_backend("database")
    assert database.search(query_tokens("评价"), ServiceItem, operator="and").count() == 1
