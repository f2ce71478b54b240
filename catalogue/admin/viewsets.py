"""The service catalogue's viewsets in the back office: items and qualification types."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from catalogue.admin.forms import QualificationTypeAdminForm, ServiceItemAdminForm
from catalogue.admin.views import (
    CatalogueExportView,
    CatalogueImportView,
    ServiceItemCreateView,
    ServiceItemEditView,
    ServiceItemIndexView,
    ServiceItemPublishView,
    ServiceItemRetireView,
)
from catalogue.models import QualificationType, ServiceItem


class ServiceItemViewSet(ModelViewSet):
    """The service catalogue in the back office, kept by regulators (R1)."""

    model = ServiceItem
    icon = "list-ul"
    menu_label = _("Service catalogue")
    menu_order = 100
    add_to_admin_menu = True
    index_view_class = ServiceItemIndexView
    add_view_class = ServiceItemCreateView
    edit_view_class = ServiceItemEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "code",
        "name",
        "approval_department",
        "statutory_time_limit_days",
        "status",
        "version",
        "effective_date",
    ]
    list_filter = ["status", "fee_mode", "approval_department"]
    search_fields = ["code", "name"]
    # The back office looks codes and names up in the database itself: the search index holds
    # the Chinese-aware tokens the public catalogue searches, not a column per field.
    search_backend_name = None
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("change_effective_date"),
                    FieldPanel("change_reason"),
                ],
                heading=_("This change"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("code"),
                    FieldPanel("name"),
                    FieldPanel("summary"),
                    FieldPanel("approval_department"),
                    FieldPanel("related_approval_item"),
                    FieldPanel("statutory_time_limit_days"),
                ],
                heading=_("Service item"),
            ),
            MultiFieldPanel(
                [FieldPanel("legal_basis"), FieldPanel("legal_references")],
                heading=_("Legal basis"),
            ),
            FieldPanel("requirements_text"),
            MultiFieldPanel(
                [
                    FieldPanel("fee_mode"),
                    FieldPanel("fee_basis"),
                    FieldPanel("fee_amount"),
                    FieldPanel("fee_ceiling"),
                    FieldPanel("reference_price_low"),
                    FieldPanel("reference_price_high"),
                    FieldPanel("paid_by_department"),
                ],
                heading=_("Fee standard"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("guide_materials"),
                    FieldPanel("guide_steps"),
                    FieldPanel("guide_deliverables"),
                    FieldPanel("owner_may_self_prepare"),
                    FieldPanel("regional_assessment_kind"),
                ],
                heading=_("Service guide"),
            ),
        ],
        base_form_class=ServiceItemAdminForm,
    )

    def get_urlpatterns(self):
        def view(view_class, **kwargs):
            return view_class.as_view(viewset=self, **kwargs)

        return [
            *super().get_urlpatterns(),
            path("publish/<int:pk>/", view(ServiceItemPublishView), name="publish"),
            path("retire/<int:pk>/", view(ServiceItemRetireView), name="retire"),
            path("import/", view(CatalogueImportView), name="import"),
            path("export/", view(CatalogueExportView), name="export"),
        ]


class QualificationTypeViewSet(ModelViewSet):
    """The legally required qualifications and their grades, kept by regulators (R3)."""

    model = QualificationType
    icon = "tick-inverse"
    menu_label = _("Qualification types")
    form_fields = ["code", "name", "grades", "legal_basis"]
    list_display = [
        "name",
        "code",
        # The grades as a reader writes them (甲级、乙级), not as the list they are stored in.
        Column(
            "grades",
            label=_("grades, highest first"),
            accessor=lambda qualification_type: pgettext("enumeration", ", ").join(
                qualification_type.grades
            ),
        ),
        "legal_basis",
    ]
    search_fields = ["code", "name"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return QualificationTypeAdminForm


class CatalogueViewSetGroup(ModelViewSetGroup):
    menu_label = _("Service catalogue")
    menu_icon = "list-ul"
    menu_order = 100
    items = (
        ServiceItemViewSet("service_items"),
        QualificationTypeViewSet("qualification_types"),
    )
