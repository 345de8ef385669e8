"""What the browser tests do the same way: signing in through the login page."""

from tests.factories import PASSWORD


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in as `email` on the login page and wait until the site has taken the person past it."""
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
