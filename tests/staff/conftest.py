"""Fixtures of the staff page tests: staff of each role, and `pages`, a client that signs in
through the real form and posts forms with the CSRF token read from the page."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import StaffRole
from tests.factories import StaffFactory
from tests.factories.core import STAFF_PASSWORD

_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token_in(html: str) -> str | None:
    """The CSRF token a staff page carries (every page has it in a <meta>)."""
    match = _TOKEN.search(html)
    return match.group(1) if match else None


class StaffPages:
    """Uses the staff pages like a browser does: keeps cookies, reads the CSRF token from the
    last page it fetched, and sends it with every form it posts."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def get(self, url: str, **kwargs):
        response = self.client.get(url, **kwargs)
        if response.mimetype == "text/html":
            self.token = csrf_token_in(response.get_data(as_text=True)) or self.token
        return response

    def post(self, url: str, data: dict | None = None, *, follow: bool = False, **kwargs):
        """Post a form as the page would (with the CSRF token)."""
        if self.token is None:
            self.get("/staff/login")
        form = {"csrf_token": self.token, **(data or {})}
        response = self.client.post(url, data=form, follow_redirects=follow, **kwargs)
        if response.mimetype == "text/html":
            self.token = csrf_token_in(response.get_data(as_text=True)) or self.token
        return response

    def login(self, username: str, password: str = STAFF_PASSWORD, *, next_url: str = ""):
        self.get("/staff/login")
        url = f"/staff/login?next={next_url}" if next_url else "/staff/login"
        return self.post(url, {"username": username, "password": password})

    def sign_in(self, staff) -> StaffPages:
        response = self.login(staff.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.get("/staff/")
        return self


@pytest.fixture
def pages(client) -> StaffPages:
    return StaffPages(client)


@pytest.fixture
def district_admin(regions):
    """An admin of the whole district (may also change categories)."""
    return StaffFactory(username="quadmin", display_name="李建国", role=StaffRole.ADMIN,
                        region=regions.district)


@pytest.fixture
def admin(regions):
    """An admin of 和平社区."""
    return StaffFactory(username="hpadmin", display_name="赵敏", role=StaffRole.ADMIN,
                        region=regions.community)


@pytest.fixture
def moderator(regions):
    return StaffFactory(username="wangfang", display_name="王芳", role=StaffRole.MODERATOR,
                        region=regions.community)


@pytest.fixture
def handler(regions):
    return StaffFactory(username="zhangwei", display_name="张伟", role=StaffRole.HANDLER,
                        region=regions.grid)


@pytest.fixture
def other_admin(regions):
    """An admin of 桂花巷社区, the neighbouring community."""
    return StaffFactory(username="ghxadmin", display_name="孙丽", role=StaffRole.ADMIN,
                        region=regions.other_community)
