from io import StringIO

from django.core.management import call_command
from wagtail.models import Page, Site

from accounts.models import User
from home.models import HomePage


def test_load_demo_twice_creates_nothing_twice(demo_content):
    # given: the demo loaded once
    first = (Page.objects.count(), User.objects.count(), Site.objects.count())

    # when
    call_command("load_demo", stdout=StringIO())

    # then
    assert (Page.objects.count(), User.objects.count(), Site.objects.count()) == first
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage


def test_load_demo_prints_the_demo_accounts(demo_content):
    out = demo_content.output

    assert "legislator@demo.sunshine.cn" in out and "立法工作人员" in out
    assert "sunshine-demo-2026" in out


def test_the_demo_legislator_can_log_into_the_admin(client, demo_content):
    response = client.post(
        "/admin/login/", {"username": "legislator@demo.sunshine.cn", "password": "sunshine-demo-2026"}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_home_page_is_chinese_by_default_and_leads_to_the_three_journeys(client, demo_content):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    for link, label in [
        ("/consultations/", "对法规草案提意见"),
        ("/petitions/", "请愿与举报"),
        ("/monitoring/", "电子监察工作台"),
    ]:
        assert f'href="{link}">{label}' in html


def test_switching_language_to_english(client, demo_content):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "Comment on a draft law" in html


def test_public_pages_send_security_headers(client, demo_content):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
