from django.db import migrations

HOME_INTRO = (
    "<p>彭山区行政审批中介服务网上超市：项目业主在线发布采购需求，具备法定资质的中介机构"
    "自愿入驻、公开竞价，选取过程公开可验证，服务全程网上留痕、限时办结、接受评价。</p>"
)


def create_homepage(apps, schema_editor):
    """Replace the placeholder page Wagtail's own migrations create with our home page."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")
    db = schema_editor.connection.alias

    Page.objects.using(db).filter(depth=2, slug="home").delete()
    homepage_content_type, _ = ContentType.objects.using(db).get_or_create(
        model="homepage", app_label="cms"
    )
    locale = Locale.objects.using(db).order_by("pk").first()
    homepage = HomePage.objects.using(db).create(
        title="行政审批中介服务网上超市",
        draft_title="行政审批中介服务网上超市",
        slug="home",
        content_type=homepage_content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        intro=HOME_INTRO,
        locale=locale,
    )
    Site.objects.using(db).update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": homepage, "site_name": "中介超市"},
    )


def remove_homepage(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("cms.HomePage").objects.using(db).filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
