from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from regions.models import Region
        from regions.selectors import forget_region_index

        post_save.connect(forget_region_index, sender=Region, dispatch_uid="regions.forget_index.save")
        post_delete.connect(forget_region_index, sender=Region, dispatch_uid="regions.forget_index.delete")
