"""Moving projects and regional assessments onto the region tree keeps every row: each name
typed before becomes an area (one per distinct name), and the owner's old "special or major"
tick, never a department's decision, is cleared (R8)."""

import datetime

import pytest

# See tests/catalogue/test_migration.py for why these marks.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.restores_database,
    pytest.mark.django_db(transaction=True),
]

BEFORE = [("market", "0010_quote_outside_range_justification"), ("core", "0002_calendar_year")]
AFTER = [("market", "0012_region_not_text")]


def test_typed_regions_become_areas_of_the_tree(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    Organisation = old.apps.get_model("accounts", "Organisation")
    Project = old.apps.get_model("market", "Project")
    owner = Organisation.objects.create(name="业主", kind="project_owner")
    for code, region, major in [
        ("2026-1", "彭山经济开发区", True),
        ("2026-2", "彭山经济开发区 ", False),
        ("2026-3", "凤鸣街道", False),
    ]:
        Project.objects.create(
            owner=owner,
            name=code,
            investment_code=code,
            region=region,
            funding="state",
            is_special_or_major=major,
        )
    old.apps.get_model("market", "RegionalAssessment").objects.create(
        title="开发区区域评估",
        region="彭山经济开发区",
        kinds=["environmental_impact"],
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2028, 1, 1),
    )

    new = migrator.apply_tested_migration(AFTER)
    Region = new.apps.get_model("core", "Region")
    Project = new.apps.get_model("market", "Project")
    assert sorted(Region.objects.values_list("name", "depth")) == [
        ("凤鸣街道", 1),
        ("彭山经济开发区", 1),
    ]
    assert len(set(Region.objects.values_list("path", flat=True))) == 2
    park = Region.objects.get(name="彭山经济开发区")
    assert set(Project.objects.filter(region=park).values_list("investment_code", flat=True)) == {
        "2026-1",
        "2026-2",
    }
    assert not Project.objects.filter(is_special_or_major=True).exists()
    assessment = new.apps.get_model("market", "RegionalAssessment").objects.get()
    assert list(assessment.areas.all()) == [park]
