"""Shared input fields."""

import pytest
from marshmallow import ValidationError

from app.validation import InputSchema, QueryInteger


class PageQuery(InputSchema):
    page = QueryInteger()


@pytest.mark.parametrize("text, number", [("2", 2), ("-3", -3), ("0", 0)])
def test_a_query_integer_reads_plain_digits(text, number):
    assert PageQuery().load({"page": text}) == {"page": number}


@pytest.mark.parametrize("text", ["1.5", "1e3", " 2", "2 ", "+2", "", "二", "0x10",
                                  "9" * 19])
def test_a_query_integer_refuses_anything_else(text):
    with pytest.raises(ValidationError) as excinfo:
        PageQuery().load({"page": text})
    assert excinfo.value.messages == {"page": ["应为整数"]}
