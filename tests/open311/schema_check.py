"""Checks Open311 bodies against the spec: JSON Schemas for JSON, structure rules for XML.

The schemas in `schemas/` were written from reference/open311.md (§3-§5) and the required sets of
open311/schema-validation. `assert_xml_mirrors_json` checks the Spark convention independently of
the renderer: the XML must carry exactly the data of the JSON, element for key.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).with_name("schemas")
SCHEMA_BASE = "https://schemas.linli.invalid/open311/"

# Container → repeated child, from the spec's response tables (written here, not imported from
# the renderer, so the renderer is checked against the spec rather than against itself).
SPEC_CONTAINERS = {
    "services": "service",
    "service_requests": "request",
    # mySociety's servicerequestupdates extension.
    "service_requests_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

_DECLARATION = re.compile(rb'<\?xml version="1\.0" encoding="(?i:utf-8)"\?>')


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for `schemas/<name>.json`, resolving references to `common.json`."""
    schema = _registry().contents(f"{SCHEMA_BASE}{name}.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def validate_json(name: str, data: object) -> None:
    """Raise `jsonschema.ValidationError` unless `data` fits `schemas/<name>.json`.

    For a service definition it also checks what JSON Schema cannot say: each attribute's
    `order` is "not used for other attributes in the same service_code".
    """
    validator(name).validate(data)
    if name == "service_definition":
        orders = [attribute["order"] for attribute in data["attributes"]]
        if len(set(orders)) != len(orders):
            raise ValidationError(f"attribute orders repeat: {orders}")


def parse_xml(body: bytes) -> ElementTree.ElementTree:
    """Parse an Open311 XML body, asserting the declaration, UTF-8, no namespace, no attributes."""
    assert _DECLARATION.match(body), f"missing or wrong XML declaration: {body[:60]!r}"
    body.decode("utf-8")  # strict: raises on anything that is not UTF-8
    root = ElementTree.fromstring(body)
    for element in root.iter():
        assert not element.tag.startswith("{"), f"namespaced element {element.tag}"
        assert not element.attrib, f"attributes on <{element.tag}>: {element.attrib}"
    return ElementTree.ElementTree(root)


def assert_xml_mirrors_json(element: ElementTree.Element, data: object) -> None:
    """Assert `element` is the Spark-convention XML twin of the JSON value `data`."""
    if isinstance(data, list):
        item = SPEC_CONTAINERS[element.tag]
        children = list(element)
        assert [child.tag for child in children] == [item] * len(data), (
            f"<{element.tag}> should hold {len(data)} <{item}>"
        )
        for child, entry in zip(children, data, strict=True):
            assert_xml_mirrors_json(child, entry)
    elif isinstance(data, dict):
        children = list(element)
        assert [child.tag for child in children] == list(data), (
            f"<{element.tag}> children differ from the JSON keys"
        )
        for child, value in zip(children, data.values(), strict=True):
            assert_xml_mirrors_json(child, value)
    else:
        assert len(element) == 0, f"<{element.tag}> should be a leaf"
        assert (element.text or "") == _leaf_text(data), (
            f"<{element.tag}> is {element.text!r}, JSON has {data!r}"
        )


def _leaf_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
