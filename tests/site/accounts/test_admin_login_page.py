"""Wagtail's sign-in page reads in Chinese: its password label and its wrong-password message."""

import re

import pytest


@pytest.mark.django_db
def test_the_admin_sign_in_page_labels_the_password_in_chinese(client):
    html = client.get("/admin/login/").content.decode()

    label = re.search(r'<label[^>]*for="id_password"[^>]*>\s*([^<\s]+)', html)
    assert label and label.group(1) == "密码"


@pytest.mark.django_db
def test_a_wrong_password_on_the_admin_sign_in_page_says_so_plainly(client):
    html = client.post(
        "/admin/login/", {"username": "nobody@example.cn", "password": "wrong-password"}
    ).content.decode()

    assert "电子邮箱或密码不正确，请重试。" in html
