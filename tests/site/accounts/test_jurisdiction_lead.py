"""A lead heads a role's work in a jurisdiction: set in the admin's user form, found by accounts.leads."""

from accounts.models import User


def test_an_administrator_makes_a_staff_member_the_lead_of_their_jurisdiction(client, regions):
    # given
    admin = User.objects.create_superuser(email="root@example.cn", password="x")
    officer = User.objects.create_user(email="lead@example.cn", password="x")
    client.force_login(admin)

    # when
    page = client.get(f"/admin/users/edit/{officer.pk}/").content.decode()
    response = client.post(
        f"/admin/users/edit/{officer.pk}/",
        {
            "email": officer.email,
            "first_name": "组长",
            "last_name": "冀",
            "display_name": "冀组长",
            "jurisdiction": "130000",
            "is_jurisdiction_lead": "on",
            "is_active": "on",
            "password1": "",
            "password2": "",
        },
    )

    # then: the form names the flag in the site's language, and it is kept
    assert "辖区负责人" in page
    assert response.status_code == 302, response.context["form"].errors
    officer.refresh_from_db()
    assert officer.is_jurisdiction_lead and officer.jurisdiction_id == "130000"
