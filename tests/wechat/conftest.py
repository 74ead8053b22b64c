"""Fixtures for the WeChat gateway tests: `responses` on WeChat's URLs, a real gateway, the fake
server."""

from __future__ import annotations

import pytest
import responses

from app.wechat.real import WeChatGateway
from tests.fakes.wechat_responses import wechat_app
from tests.fakes.wechat_server import running_fake_wechat


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def gateway() -> WeChatGateway:
    """A gateway for both WeChat apps, tokens in process memory, real WeChat URLs."""
    return WeChatGateway.from_config(wechat_app())


@pytest.fixture
def fake_wechat():
    with running_fake_wechat() as fake:
        yield fake
