"""Which WeChat template carries which notification, and the values it is given.

The mapping comes from configuration (NOTIFICATION_TEMPLATES_FILE or NOTIFICATION_TEMPLATES, read
in app/config.py; the development default is config/notification_templates.example.json):

    {"report.": {"subscribe": {"template_id": "…", "page": "pages/reports/detail",
                               "fields": {"character_string1": "number", "thing2": "thing",
                                          "phrase3": ["phrase", "status"], "time4": "time"}},
                 "template":  {"template_id": "…", "fields": {…}}},
     "report.rejected": {…}}

A key is a notification kind, or a kind prefix ending in "." ("report."); the exact kind wins,
then the longest prefix. Channels: "subscribe" (mini-program subscribe message), "oa_subscribe"
(the official account's 订阅通知, granted in its subscribe popup) and "template"
(official-account template message); "page" is optional and defaults to the notification's
page. Each field maps a WeChat data key to where its value comes from: a name in the
notification's `fields`, else its `title` or `text`, or `created_at` (when it was recorded); a
list names alternatives, the first present wins. Values are fitted to their key's type by
app.wechat.limits.fit_template_value.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.wechat.limits import TemplateValueError, fit_template_value, template_key_type

CHANNELS = ("subscribe", "oa_subscribe", "template")
# Channels whose messages each use one grant the resident gave, and whose data keys are typed.
SUBSCRIBE_CHANNELS = ("subscribe", "oa_subscribe")
# Template ids in the example file start with this; production refuses them.
EXAMPLE_ID_PREFIX = "EXAMPLE"
_SPEC_KEYS = {"template_id", "fields", "page"}
_PAYLOAD_SOURCES = ("title", "text")
_CREATED_AT = "created_at"


def template_problems(mapping: object) -> list[str]:
    """What is wrong with a templates mapping, one readable sentence each (empty when valid)."""
    if not isinstance(mapping, dict):
        return ["the notification templates must be a JSON object of kind -> channels"]
    problems = []
    for kind, channels in mapping.items():
        where = f"notification templates[{kind!r}]"
        if not kind or not isinstance(channels, dict) or not channels:
            problems.append(f"{where} must be a non-empty object of channels")
            continue
        for channel, spec in channels.items():
            problems.extend(_spec_problems(f"{where}[{channel!r}]", channel, spec))
    return problems


def _spec_problems(where: str, channel: str, spec: object) -> list[str]:
    if channel not in CHANNELS:
        return [f"{where}: unknown channel (use {' or '.join(CHANNELS)})"]
    if not isinstance(spec, dict):
        return [f"{where} must be an object with template_id and fields"]
    problems = []
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    template_id = spec.get("template_id")
    if not isinstance(template_id, str) or not template_id.strip() or len(template_id) > 128:
        problems.append(f"{where}: template_id must be a non-empty string")
    if "page" in spec and not isinstance(spec["page"], str):
        problems.append(f"{where}: page must be a string")
    fields = spec.get("fields")
    if not isinstance(fields, dict) or not fields:
        problems.append(f"{where}: fields must map WeChat data keys to payload fields")
        return problems
    for key, source in fields.items():
        if channel in SUBSCRIBE_CHANNELS and template_key_type(key) is None:
            problems.append(f"{where}: data key {key!r} has no known type (thing, phrase, time, "
                            "number, character_string, name, …); WeChat would refuse it")
        sources = source if isinstance(source, list) else [source]
        if not sources or not all(isinstance(s, str) and s for s in sources):
            problems.append(f"{where}: the source of {key!r} must be a field name or a list "
                            "of them")
    return problems


def production_problems(mapping: object) -> list[str]:
    """Problems that only matter in production: no mapping at all, or example template ids."""
    if not mapping:
        return ["NOTIFICATION_TEMPLATES_FILE or NOTIFICATION_TEMPLATES (the WeChat templates "
                "of each notification kind)"]
    problems = template_problems(mapping)
    if problems:
        return problems
    examples = sorted({spec["template_id"] for channels in mapping.values()
                       for spec in channels.values()
                       if spec["template_id"].startswith(EXAMPLE_ID_PREFIX)})
    if examples:
        problems.append("notification templates still use the example template ids "
                        f"{', '.join(examples)}; use the ids of your MP console")
    return problems


def spec_for(mapping: Mapping, kind: str, channel: str) -> dict | None:
    """The template spec of `kind` on `channel`: the exact kind first, then the longest prefix."""
    if not mapping:
        return None
    exact = mapping.get(kind)
    if exact and channel in exact:
        return exact[channel]
    prefixes = sorted((key for key in mapping if key.endswith(".") and kind.startswith(key)),
                      key=len, reverse=True)
    for prefix in prefixes:
        if channel in mapping[prefix]:
            return mapping[prefix][channel]
    return None


def subscribe_template_ids(mapping: Mapping, channel: str = "subscribe") -> dict[str, list[str]]:
    """Every subscribe template id configured for `channel` ("subscribe": the mini-program's,
    "oa_subscribe": the official account's), with the kinds (or prefixes) it serves."""
    ids: dict[str, list[str]] = {}
    for kind, channels in (mapping or {}).items():
        spec = channels.get(channel)
        if spec:
            ids.setdefault(spec["template_id"], []).append(kind)
    return ids


def _source_value(source: str, payload: Mapping, created_at):
    fields = payload.get("fields") or {}
    if fields.get(source) not in (None, ""):
        return fields[source]
    if source in _PAYLOAD_SOURCES and payload.get(source):
        return payload[source]
    if source == _CREATED_AT:
        return created_at
    return None


def render_data(spec: Mapping, payload: Mapping, created_at) -> dict[str, str]:
    """The data of a template or subscribe message: {wechat_key: fitted value}.

    Raises `TemplateValueError` when a value is missing or has nothing valid for its key, so
    the caller can fall to another channel instead of sending what WeChat would refuse (47003).
    """
    data = {}
    for key, source in spec["fields"].items():
        sources = source if isinstance(source, list) else [source]
        value = None
        for name in sources:
            value = _source_value(name, payload, created_at)
            if value is not None:
                break
        if value is None:
            raise TemplateValueError(f"no value for {key} (from {', '.join(sources)})")
        data[key] = fit_template_value(key, value)
    return data
