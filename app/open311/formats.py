"""Open311 GeoReport v2 response bodies in XML and JSON, and the W3C datetimes they carry.

The spec makes XML the reference format and JSON "a programmatic mapping of the XML" by the Spark
convention: a container element whose children are all one repeated element becomes an array. So
one Python structure feeds both formats:

- a dict is an element with one child element per key, in order (a JSON object);
- a list is a container element; its entries are repeated child elements named by
  `LIST_ITEM_NAMES` (``endpoints`` → ``endpoint``…), and in JSON simply an array;
- None is an empty element (JSON null); booleans are ``true``/``false``; numbers and strings
  are text. Datetimes must already be strings (`w3c_datetime`), so both formats see the same data.

A list under a key missing from `LIST_ITEM_NAMES` is refused rather than guessed at: the spec's
XML has no schema, so a wrong element name would be silently wrong for every client.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'

# Plural container → repeated child, for lists nested inside an item (GeoReport v2 and Service
# Discovery use no others). The roots of list resources are passed to `render` explicitly.
LIST_ITEM_NAMES = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

_ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF). A resident's text may contain them; they become U+FFFD instead of breaking
# every client's parser.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_XML_ESCAPED = re.compile("[&<>\r]")


def render(root: str, item: str, items: Sequence[Mapping], fmt: str) -> tuple[bytes, str]:
    """A list resource (`services`, `service_requests`…): body and Content-Type for `fmt`."""
    _check_format(fmt)
    _check_element_name(root)
    _check_element_name(item)
    items = [_check_item(entry) for entry in items]
    if fmt == "json":
        return _json_body([_plain(entry) for entry in items])
    parts = [XML_DECLARATION, f"<{root}>"]
    for entry in items:
        _xml_element(parts, item, entry)
    parts.append(f"</{root}>")
    return _xml_body(parts)


def render_document(root: str, document: Mapping, fmt: str) -> tuple[bytes, str]:
    """A single-object resource (`discovery`, `service_definition`): an object in JSON."""
    _check_format(fmt)
    _check_element_name(root)
    document = _check_item(document)
    if fmt == "json":
        return _json_body(_plain(document))
    parts = [XML_DECLARATION]
    _xml_element(parts, root, document)
    return _xml_body(parts)


def render_errors(errors: Sequence[tuple[int, str]], fmt: str) -> tuple[bytes, str]:
    """The `errors` → `error` {code, description} body; the spec allows several at once."""
    return render(
        "errors",
        "error",
        [{"code": code, "description": description} for code, description in errors],
        fmt,
    )


def w3c_datetime(moment: datetime) -> str:
    """An aware datetime as a W3C datetime with its offset, to the second.

    The offset is kept as given (UTC shows as ``+00:00``): callers choose UTC or China time.
    Offsets with seconds (historical local mean times) are not expressible, so those moments
    are written in UTC instead.
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("Open311 datetimes need a timezone; got a naive datetime")
    if offset % timedelta(minutes=1):
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


_W3C_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(?:(Z)|([+\- ])(\d{2}):(\d{2}))\Z",
    re.ASCII,
)


def parse_w3c_datetime(text: str) -> datetime:
    """Read a W3C datetime (`start_date`, `end_date`) into an aware datetime; ValueError if not one.

    Accepted: ``YYYY-MM-DDThh:mm[:ss[.s…]]`` followed by ``Z`` or ``±hh:mm``. The spec says the
    timezone **must** be included, so values without one (and the W3C date-only forms, which
    cannot carry one) are refused rather than guessed. A space in place of ``+`` is read as
    ``+``: it is what an unencoded ``+08:00`` becomes in a query string. Fractions of a second
    beyond microseconds are truncated.
    """
    match = _W3C_DATETIME.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a W3C datetime with timezone: {text!r}")
    year, month, day, hour, minute, second, fraction, zulu, sign, tz_hour, tz_minute = (
        match.groups()
    )
    if zulu:
        zone = UTC
    else:
        if int(tz_hour) > 23 or int(tz_minute) > 59:
            raise ValueError(f"timezone offset out of range: {text!r}")
        offset = timedelta(hours=int(tz_hour), minutes=int(tz_minute))
        zone = timezone(-offset if sign == "-" else offset)
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    fields = (int(part) for part in (year, month, day, hour, minute, second or 0))
    return datetime(*fields, microsecond, tzinfo=zone)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown Open311 format {fmt!r}; expected one of {FORMATS}")


def _check_element_name(name: str) -> None:
    # Names come from our code, never from input, but a bad one would make the XML ill-formed.
    usable = isinstance(name, str) and _ELEMENT_NAME.match(name)
    if not usable or name.lower().startswith("xml"):
        raise ValueError(f"not a usable XML element name: {name!r}")


def _check_item(item: Mapping) -> Mapping:
    if not isinstance(item, Mapping):
        raise TypeError(f"Open311 items are mappings, got {type(item).__name__}")
    return item


def _check_list_key(key: str) -> str:
    try:
        return LIST_ITEM_NAMES[key]
    except KeyError:
        raise ValueError(
            f"no XML element name for the entries of list {key!r}; add it to LIST_ITEM_NAMES"
        ) from None


def _plain(value: object, key: str | None = None) -> object:
    """The JSON value, after the same checks the XML side makes (so both fail alike)."""
    if isinstance(value, Mapping):
        for child_key in value:
            _check_element_name(child_key)
        return {child_key: _plain(child, child_key) for child_key, child in value.items()}
    if isinstance(value, list | tuple):
        _check_list_key(key)
        for entry in value:
            if isinstance(entry, list | tuple):
                raise ValueError(f"list {key!r} holds a list; XML cannot name its entries")
        return [_plain(entry) for entry in value]
    if isinstance(value, str):
        # UTF-8 cannot carry lone surrogates (e.g. text decoded with surrogateescape).
        return _LONE_SURROGATES.sub("\ufffd", value)
    _scalar_text(value)  # type check only
    return value


def _scalar_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no Open311 representation")
        return repr(value)
    if isinstance(value, str):
        return value
    raise TypeError(
        f"cannot render {type(value).__name__} in Open311; convert it first"
        " (datetimes with w3c_datetime, ids and codes with str)"
    )


def _escape_text(text: str) -> str:
    text = _NOT_XML_CHARS.sub("\ufffd", text)
    # A literal CR would be normalised away by every XML parser; &#13; keeps CRLF line breaks.
    return _XML_ESCAPED.sub(lambda match: _XML_ESCAPES[match.group()], text)


def _xml_element(parts: list[str], name: str, value: object) -> None:
    _check_element_name(name)
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for child_key, child in value.items():
            _xml_element(parts, child_key, child)
        parts.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        entry_name = _check_list_key(name)
        parts.append(f"<{name}>")
        for entry in value:
            if isinstance(entry, list | tuple):
                raise ValueError(f"list {name!r} holds a list; XML cannot name its entries")
            _xml_element(parts, entry_name, entry)
        parts.append(f"</{name}>")
    elif value is None:
        parts.append(f"<{name}/>")
    else:
        parts.append(f"<{name}>{_escape_text(_scalar_text(value))}</{name}>")


def _xml_body(parts: list[str]) -> tuple[bytes, str]:
    return "".join(parts).encode("utf-8"), XML_CONTENT_TYPE


def _json_body(data: object) -> tuple[bytes, str]:
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8"), JSON_CONTENT_TYPE
