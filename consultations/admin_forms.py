from wagtail.admin.forms import WagtailAdminPageForm

from core.jurisdiction import in_jurisdiction
from regions.models import Region


class DraftPageForm(WagtailAdminPageForm):
    """Staff choose a jurisdiction within their own; administrators choose any."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("jurisdiction")
        if field is None:
            return
        regions = Region.objects.exclude(level="county").select_related("parent__parent")
        user = for_user
        if user is not None:
            regions = in_jurisdiction(regions, user, "")
        field.queryset = regions.order_by("code")
        field.label_from_instance = lambda region: f"{region.code} {region.full_name}"
