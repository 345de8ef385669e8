from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.forms import StaffUserCreationForm, StaffUserEditForm


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update: bool = False):
        return StaffUserEditForm if for_update else StaffUserCreationForm
