from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core import views as core_views

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; send them to the one icon.
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)
    ),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

# Chinese pages live at the bare paths, English ones under /en/: a link or a bookmark always
# opens in Chinese unless the reader chose English.
urlpatterns += i18n_patterns(
    path("accounts/", include("cms.urls")),
    path("accounts/", include("accounts.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("my/requests/", include("market.owner_urls")),
    path("my/quotes/", include("market.agency_urls")),
    path("my/classifications/", include("market.department_urls")),
    path("transparency/", include("core.transparency_urls")),
    path("pki/", include("contracts.pki_urls")),
    path("my/contracts/", include("contracts.party_urls")),
    path("credit/", include("credit.urls")),
    path("search/", include("cms.search_urls")),
    path("preferences/", include("core.preference_urls")),
    path("", include("contracts.public_urls")),
    path("", include("market.urls")),
    path("agencies/", include("credit.agency_urls")),
    path("agencies/", include("agencies.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
