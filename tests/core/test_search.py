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
def test_searching_part_of_a_chinese_name(search_index, query, finds):
    # The trap this guards against: a whole run of Han characters indexed as one token, so
    # 评价 would not find 环境影响评价. Runs on whichever backend is configured.
    wanted = ServiceItemFactory(name="环境影响评价文件编制")
    ServiceItemFactory(name="房产测绘")
    search_index.refresh()

    found = [item.pk for item in service_item_search(service_item_published(), query)]
    assert found == ([wanted.pk] if finds else [])


def test_search_leaves_out_unpublished_items(search_index):
    ServiceItemFactory(name="地震安全性评价", status=ServiceItem.Status.DRAFT)
    search_index.refresh()
    assert list(service_item_search(service_item_published(), "地震")) == []


@pytest.mark.elasticsearch
def test_the_catalogue_is_indexed_in_elasticsearch(search_index):
    ServiceItemFactory.create_batch(3)
    search_index.refresh()

    backend = get_search_backend()
    index = backend.get_index_for_model(ServiceItem)
    assert backend.es.count(index=index.name)["count"] == 3
