import factory

from core.models import Region


class RegionFactory(factory.Factory):
    """An area at the top of the region tree, or inside `parent`: treebeard computes the path,
    so rows are made through its add_root/add_child rather than a plain create."""

    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"测试区域{n}")
    kind = Region.Kind.DISTRICT

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        return model_class.objects.get(pk=parent.pk).add_child(**kwargs)
