"""Shared input fields."""

import pytest
from marshmallow import ValidationError

from app.validation import InputSchema, QueryInteger, StrictInteger


class PageQuery(InputSchema):
    page = QueryInteger()


class Body(InputSchema):
    count = StrictInteger()


def test_a_query_string_integer_is_read_from_its_digits():
    assert PageQuery().load({"page": "12"}) == {"page": 12}


@pytest.mark.parametrize("raw", ["1.5", "1e3", "", " 2", "二", "0x10"])
def test_a_query_string_that_is_not_a_whole_number_is_refused(raw):
    with pytest.raises(ValidationError) as excinfo:
        PageQuery().load({"page": raw})
    assert excinfo.value.messages == {"page": ["应为整数"]}


def test_json_integers_stay_strict_about_strings():
    with pytest.raises(ValidationError):
        Body().load({"count": "2"})
