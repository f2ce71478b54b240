from wagtail import hooks

from catalogue.admin.viewsets import CatalogueViewSetGroup


@hooks.register("register_admin_viewset")
def register_catalogue_viewsets():
    return CatalogueViewSetGroup()
