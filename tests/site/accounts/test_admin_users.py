from accounts.models import User


def test_an_administrator_sets_a_staff_members_jurisdiction_in_the_admin(client, regions):
    # given
    admin = User.objects.create_superuser(email="root@example.cn", password="x")
    officer = User.objects.create_user(email="officer@example.cn", password="x")
    client.force_login(admin)

    # when
    page = client.get(f"/admin/users/edit/{officer.pk}/")
    response = client.post(
        f"/admin/users/edit/{officer.pk}/",
        {
            "email": officer.email,
            "first_name": "纪检",
            "last_name": "赵",
            "display_name": "赵纪检",
            "jurisdiction": "130600",
            "is_active": "on",
            "password1": "",
            "password2": "",
        },
    )

    # then
    assert "<option value=130000>河北省" in page.content.decode()  # the region picker, no code to type
    assert response.status_code == 302, response.context["form"].errors
    officer.refresh_from_db()
    assert officer.jurisdiction_id == "130600" and officer.display_name == "赵纪检"
    assert "河北省 › 保定市" in client.get(f"/admin/users/edit/{officer.pk}/").content.decode()
