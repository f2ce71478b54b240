import importlib

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from modelsearch.query import And, Or, PlainText

from catalogue.selectors import service_item_published, service_item_search
from core.models import SearchSynonym
from core.search import highlight, parse_query, query_tokens
from tests.catalogue.factories import ServiceItemFactory

SEEDED = importlib.import_module("core.migrations.0005_search_synonym").SEEDED
GROUPS = {
    "环评": frozenset({"环评", "环境影响评价"}),
    "环境影响评价": frozenset({"环评", "环境影响评价"}),
}


def test_a_known_abbreviation_is_asked_for_with_its_full_form():
    parsed = parse_query("环评", GROUPS)
    assert parsed.parts == (("环评", "环境影响评价"),)
    query = parsed.search_query()
    assert isinstance(query, Or)
    assert [sub.query_string for sub in query.subqueries] == [
        query_tokens("环评"),
        query_tokens("环境影响评价"),
    ]
    assert all(sub.operator == "and" for sub in query.subqueries)


def test_a_full_form_is_asked_for_with_its_abbreviation():
    assert parse_query("环境影响评价", GROUPS).parts == (("环境影响评价", "环评"),)


def test_an_abbreviation_inside_a_longer_run_is_cut_out_of_it():
    parsed = parse_query("彭山环评报告 GB", GROUPS)
    assert parsed.parts == (("彭山",), ("环评", "环境影响评价"), ("报告",), ("gb",))
    query = parsed.search_query()
    assert isinstance(query, And) and len(query.subqueries) == 4
    assert isinstance(query.subqueries[0], PlainText)


def test_a_query_without_synonyms_is_one_plain_text_of_pairs():
    query = parse_query("评价", GROUPS).search_query()
    assert isinstance(query, PlainText)
    assert query.query_string == query_tokens("评价")


def test_punctuation_only_is_an_empty_query_and_one_character_is_too_short():
    assert parse_query("  ，。！ ", GROUPS).is_empty
    assert parse_query("环", GROUPS).is_too_short
    assert not parse_query("环评", GROUPS).is_too_short


def test_highlighting_marks_every_spelling_and_escapes_the_rest():
    parsed = parse_query("环评", GROUPS)
    marked = highlight('<script>"环境影响评价"</script> 与环评', parsed)
    assert marked == (
        "&lt;script&gt;&quot;<mark>环境影响评价</mark>&quot;&lt;/script&gt; 与<mark>环评</mark>"
    )


def test_the_seeded_abbreviations_are_in_the_table(db):
    rows = set(SearchSynonym.objects.values_list("term", "full_form"))
    assert set(SEEDED) <= rows
    terms = {term for term, _ in SEEDED}
    assert {"环评", "能评", "稳评", "水保", "安评", "地灾"} <= terms


def test_several_full_forms_of_one_abbreviation_are_all_asked_for(db):
    parsed = parse_query("能评")
    assert set(parsed.parts[0]) == {"能评", "节能评估", "节能审查", "节能报告"}
    # And each full form brings the abbreviation and its siblings along.
    assert set(parse_query("节能审查").parts[0]) == {"能评", "节能评估", "节能审查", "节能报告"}


@pytest.mark.parametrize(("term", "full_form"), SEEDED)
def test_each_seeded_abbreviation_finds_the_item_named_in_full(
    search_index, django_capture_on_commit_callbacks, term, full_form
):
    with django_capture_on_commit_callbacks(execute=True):
        wanted = ServiceItemFactory(name=f"建设项目{full_form}报告编制")
        ServiceItemFactory(name="房产测绘")
    search_index.refresh()

    found = [item.pk for item in service_item_search(service_item_published(), term)]
    assert found == [wanted.pk]


def test_a_new_synonym_works_at_once_without_reindexing(
    search_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wanted = ServiceItemFactory(name="房产测绘")
    search_index.refresh()
    assert list(service_item_search(service_item_published(), "房测")) == []

    SearchSynonym.objects.create(term="房测", full_form="房产测绘")

    assert [item.pk for item in service_item_search(service_item_published(), "房测")] == [
        wanted.pk
    ]


@pytest.mark.parametrize(
    ("term", "full_form", "field", "code"),
    [
        ("环 评", "环境影响评价", "term", "search_word"),
        ("环", "环境影响评价", "term", "search_word"),
        ("环评", "环境影响评价。", "full_form", "search_word"),
        ("环评", "环评", "full_form", "same_as_term"),
    ],
)
def test_a_synonym_is_two_words_that_differ(db, term, full_form, field, code):
    with pytest.raises(ValidationError) as refused:
        SearchSynonym(term=term, full_form=full_form).full_clean()
    assert [error.code for error in refused.value.error_dict[field]] == [code]


def test_a_synonym_pair_is_entered_once(db):
    with pytest.raises(ValidationError) as refused:
        SearchSynonym(term="环评", full_form="环境影响评价").full_clean()  # seeded already
    assert [error.code for error in refused.value.error_dict[NON_FIELD_ERRORS]] == [
        "unique_together"
    ]


def test_regulators_keep_the_table_in_the_back_office(client, regulator_user):
    client.force_login(regulator_user)
    assert client.get("/admin/search_synonyms/").status_code == 200
    response = client.post("/admin/search_synonyms/new/", {"term": "测绘", "full_form": "房产测绘"})
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(term="测绘", full_form="房产测绘").exists()
    refused = client.post("/admin/search_synonyms/new/", {"term": "测 绘", "full_form": "测绘"})
    assert refused.status_code == 200
    assert [error.code for error in refused.context["form"].errors.as_data()["term"]] == [
        "search_word"
    ]


@pytest.mark.parametrize("role_user", ["owner_user", "agency_user", "approval_user"])
def test_no_one_else_may_change_the_table(client, request, role_user):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get("/admin/search_synonyms/").status_code in (302, 403)
    response = client.post("/admin/search_synonyms/new/", {"term": "测绘", "full_form": "房产测绘"})
    assert response.status_code in (302, 403)
    assert not SearchSynonym.objects.filter(term="测绘").exists()
