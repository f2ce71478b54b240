import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from core.search import bigrams
from market.models import ServiceItem
from market.selectors import service_item_public_list
from tests.market.factories import ServiceItemFactory


def test_han_text_becomes_overlapping_bigrams():
    assert bigrams("环境影响评价") == "环境 境影 影响 响评 评价"


def test_latin_words_and_numbers_stay_whole():
    assert bigrams("GB 50011 抗震") == "gb 50011 抗震"


def test_a_single_character_is_kept():
    assert bigrams("测") == "测"


def test_searching_part_of_a_chinese_name_finds_the_item(search_index):
    # The trap this guards against: a whole run of Han characters indexed as one token, so
    # 评价 would not find 环境影响评价. Runs on whichever backend is configured.
    wanted = ServiceItemFactory(name="环境影响评价文件编制")
    ServiceItemFactory(name="房产测绘")
    search_index.refresh()

    found = list(service_item_public_list(query="评价"))
    assert [item.pk for item in found] == [wanted.pk]
    assert [item.pk for item in service_item_public_list(query="影响评价")] == [wanted.pk]
    assert list(service_item_public_list(query="水土保持")) == []


def test_search_leaves_out_unpublished_items(search_index):
    ServiceItemFactory(name="地震安全性评价", status=ServiceItem.Status.DRAFT)
    search_index.refresh()
    assert list(service_item_public_list(query="地震")) == []


@pytest.mark.elasticsearch
def test_elasticsearch_index_uses_the_cjk_analyzer(search_index):
    backend = get_search_backend()
    index = backend.get_index_for_model(ServiceItem)
    index_settings = backend.es.indices.get_settings(index=index.name)
    analyzers = next(iter(index_settings.body.values()))["settings"]["index"]["analysis"][
        "analyzer"
    ]
    assert analyzers["default"]["type"] == "cjk"
    print("elasticsearch", backend.es.info()["version"]["number"], settings.ELASTICSEARCH_URL)
