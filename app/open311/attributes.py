"""A category's extra questions as Open311 service attributes, and a partner's answers to them.

Categories keep their questions in `Category.attributes`, a JSON list in the spec's own terms:

    [{"code": "hazard", "datatype": "singlevaluelist", "required": true, "order": 1,
      "description": "是否已影响通行安全？", "datatype_description": null, "variable": true,
      "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]}]

`code` and `datatype` are needed; the rest has defaults (`variable` true, `required` false,
`description` the code, `order` the position). Entries that could not be rendered correctly (an
unknown datatype, a list type without values) are left out and logged rather than published
wrong. `order` is renumbered 1…n in the given order, because the spec wants it unique.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from app.categories.models import Category
from app.errors import Invalid
from app.open311.formats import parse_w3c_datetime

log = logging.getLogger(__name__)

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
ANSWER_MAX = 200


def attributes_of(category: Category) -> list[dict]:
    """The category's questions as Open311 `attribute` entries, in the spec's field order."""
    entries = []
    for position, entry in enumerate(category.attributes or []):
        attribute = _normalised(entry)
        if attribute is None:
            log.warning("category %s: attribute %d is not usable in Open311: %r",
                        category.code, position, entry)
            continue
        entries.append((_order_key(entry, position), position, attribute))
    entries.sort(key=lambda item: (item[0], item[1]))
    for order, (_key, _position, attribute) in enumerate(entries, start=1):
        attribute["order"] = order
    return [attribute for _key, _position, attribute in entries]


def _order_key(entry: Mapping, position: int) -> int:
    order = entry.get("order")
    return order if isinstance(order, int) and not isinstance(order, bool) else position + 1


def _normalised(entry: object) -> dict | None:
    if not isinstance(entry, Mapping):
        return None
    code, datatype = entry.get("code"), entry.get("datatype")
    if not isinstance(code, str) or not code.strip() or datatype not in DATATYPES:
        return None
    description = entry.get("datatype_description")
    attribute = {
        "variable": bool(entry.get("variable", True)),
        "code": code.strip(),
        "datatype": datatype,
        "required": bool(entry.get("required", False)),
        "datatype_description": description if isinstance(description, str) else None,
        "order": 0,
        "description": str(entry.get("description") or code).strip(),
    }
    if datatype in LIST_DATATYPES:
        values = [{"key": str(value["key"]), "name": str(value["name"])}
                  for value in entry.get("values") or []
                  if isinstance(value, Mapping) and str(value.get("key", "")).strip()
                  and str(value.get("name", "")).strip()]
        if not values:
            return None
        attribute["values"] = values
    return attribute


def answer_lines(category: Category, answers: Mapping[str, list[str]]) -> list[str]:
    """Check a partner's `attribute[code]` answers; return them as lines for the description.

    Raises Invalid naming each `attribute[code]` that is missing or wrong. Answers to questions
    the category does not ask are ignored, as are answers to information-only attributes.
    """
    lines, errors = [], {}
    for attribute in attributes_of(category):
        if not attribute["variable"]:
            continue
        field = f"attribute[{attribute['code']}]"
        given = [value.strip() for value in answers.get(attribute["code"], []) if value.strip()]
        if not given:
            if attribute["required"]:
                errors[field] = [f"此项必填：{attribute['description']}"]
            continue
        shown, problem = _check_answer(attribute, given)
        if problem:
            errors[field] = [problem]
        else:
            lines.append(f"{attribute['description']}：{shown}")
    if errors:
        raise Invalid("附加信息（attribute）填写有误", errors=errors)
    return lines


def _check_answer(attribute: dict, given: list[str]) -> tuple[str, str | None]:
    """(the answer as shown to staff, or the problem with it)."""
    datatype = attribute["datatype"]
    if datatype in LIST_DATATYPES:
        names = {value["key"]: value["name"] for value in attribute["values"]}
        if datatype == "singlevaluelist" and len(given) > 1:
            return "", "只能选一项"
        unknown = [value for value in given if value not in names]
        if unknown:
            return "", f"不是可选的值：{'、'.join(unknown)}（可选：{'、'.join(names)}）"
        return "、".join(names[value] for value in dict.fromkeys(given)), None
    if len(given) > 1:
        return "", "只能填一个值"
    value = given[0]
    if len(value) > ANSWER_MAX:
        return "", f"最多 {ANSWER_MAX} 个字"
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            return "", "应为数字"
        if not math.isfinite(number):
            return "", "应为数字"
    elif datatype == "datetime":
        try:
            parse_w3c_datetime(value)
        except ValueError:
            return "", "应为带时区的时间，例如 2026-11-24T09:30:00+08:00"
    return value, None
