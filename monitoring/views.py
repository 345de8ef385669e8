from django.shortcuts import render

from accounts.roles import Role
from core.permissions import role_required


@role_required(Role.INSPECTOR, Role.ADMINISTRATOR)
def dashboard(request):
    return render(request, "monitoring/dashboard.html", {"jurisdiction": request.user.jurisdiction})
