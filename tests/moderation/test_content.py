"""The one content-check policy."""

import pytest

from app.errors import Invalid
from app.moderation import screen_text
from tests.factories import ResidentFactory


@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community)


def test_clean_text_passes_through_the_v2_check(resident, wechat):
    assert screen_text("路灯坏了", resident=resident).needs_review is False
    [call] = wechat.calls("/wxa/msg_sec_check")
    assert call.json["version"] == 2 and call.json["openid"] == resident.mp_openid


def test_doubtful_text_is_held_for_review(resident, wechat):
    wechat.text_verdicts["加微信"] = "review"
    verdict = screen_text("便宜装修加微信", resident=resident)
    assert verdict.needs_review and verdict.reason == "wechat_review"


def test_risky_text_is_refused_naming_the_field(resident, wechat):
    wechat.text_verdicts["骗子"] = "risky"
    with pytest.raises(Invalid) as excinfo:
        screen_text("你们都是骗子", resident=resident, field="description")
    assert excinfo.value.errors == {"description": ["内容包含不适宜公开的信息，请修改后再提交"]}


def test_an_unreachable_check_holds_the_text_instead_of_failing(resident, wechat):
    wechat.fail_next("/wxa/msg_sec_check", status=502)
    verdict = screen_text("路灯坏了", resident=resident)
    assert verdict.needs_review and verdict.reason == "check_unavailable"


def test_empty_text_is_not_sent_to_wechat(resident, wechat):
    assert not screen_text("", "  ", resident=resident).needs_review
    assert wechat.calls("/wxa/msg_sec_check") == []
