"""Forms of the staff pages: one base with Chinese messages, and the helpers every page uses.

- `StaffForm` is a Flask-WTF form (its CSRF field is rendered by `form.hidden_tag()` or the
  `form_errors`/`field` macros); the blueprint also checks the CSRF token of every unsafe
  request, so a plain `<form method="post">` only needs `{{ csrf_token() }}` in a hidden input.
- `FilterForm` reads GET query strings (no CSRF: it changes nothing).
- `show_service_error(form, error)` puts a service's 422 field messages on the form's fields and
  flashes the rest, so the page is re-rendered with every message where it belongs.
- `@takes_photos` on a view whose form uploads photos: a signed-in staff member's request may
  then carry up to MAX_PHOTOS photos of the largest size accepted (the blueprint raises the
  request size limit for it before the form is read).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash
from flask_wtf import FlaskForm
from wtforms import Form

from app.errors import ServiceError
from app.extensions import db
from app.uploads.service import MAX_PHOTOS

# WTForms' own messages, in the words staff read (its bundled zh catalogue misses many).
_MESSAGES = {
    "This field is required.": "此项必填",
    "Field must be at least %(min)d character long.": "至少 %(min)d 个字",
    "Field must be at least %(min)d characters long.": "至少 %(min)d 个字",
    "Field cannot be longer than %(max)d character.": "最多 %(max)d 个字",
    "Field cannot be longer than %(max)d characters.": "最多 %(max)d 个字",
    "Field must be exactly %(max)d character long.": "应为 %(max)d 个字",
    "Field must be exactly %(max)d characters long.": "应为 %(max)d 个字",
    "Field must be between %(min)d and %(max)d characters long.": "应为 %(min)d 到 %(max)d 个字",
    "Number must be at least %(min)s.": "应不小于 %(min)s",
    "Number must be at most %(max)s.": "应不大于 %(max)s",
    "Number must be between %(min)s and %(max)s.": "应在 %(min)s 到 %(max)s 之间",
    "Not a valid integer value.": "应为整数",
    "Not a valid date value.": "日期格式不正确，例如 2026-11-24",
    "Not a valid choice.": "请从列表中选择",
    "Invalid Choice: could not coerce.": "请从列表中选择",
    "Invalid input.": "格式不正确",
    "Field must be equal to %(other_name)s.": "两次输入不一致",
    "File does not have an approved extension.": "文件类型不对",
}


class _ChineseMessages:
    def gettext(self, string: str) -> str:
        return _MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_CHINESE = _ChineseMessages()


class StaffForm(FlaskForm):
    """Base of every form that changes something on the staff pages."""

    class Meta:
        def get_translations(self, form):
            return _CHINESE


class ActionForm(StaffForm):
    """A form of which a page has several (one per action), each with its own `prefix` so that
    ids never clash. The blueprint checks the page's CSRF token (a plain `csrf_token` hidden
    input) for every unsafe request, so the form does not check a prefixed copy of it."""

    class Meta:
        csrf = False


class FilterForm(Form):
    """Base of list filters read from the query string: `FilterForm(request.args)`."""

    class Meta:
        def get_translations(self, form):
            return _CHINESE

    def valid_data(self) -> dict:
        """The filter values that validated; a field with a bad value counts as not given."""
        self.validate()
        return {name: (None if field.errors else field.data) for name, field in self._fields.items()}


def takes_photos(view):
    """Mark a view whose form carries photos (see the module docstring)."""
    view.takes_photos = True
    return view


def photo_request_limit() -> int:
    """The request size a photo form may reach: every photo at its largest, and the rest."""
    return MAX_PHOTOS * current_app.config["UPLOAD_MAX_BYTES"] + 1024 * 1024


def show_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a refused action on the re-rendered form: field messages beside their fields, the
    rest (and the summary) as a flashed error. Whatever the service had begun is rolled back,
    so the page shows what is stored."""
    db.session.rollback()
    unplaced = []
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name)
        texts = messages if isinstance(messages, list) else [str(messages)]
        if field is None:
            unplaced.extend(texts)
        else:
            field.errors = [*field.errors, *texts]
    flash(error.message, "error")
    for text in unplaced:
        if text != error.message:
            flash(text, "error")


def perform_action(form: FlaskForm, run: Callable, *, show_again: Callable[[int], object],
                   done: Callable[[object], object]):
    """The one way a staff page runs an action from its form: validate the form, call the
    service, and go on (`done(result)`) or show the page again (`show_again(status)`) with the
    problem beside the form. The service's 403 and 404 propagate to the error pages."""
    if not form.validate_on_submit():
        return show_again(422)
    try:
        result = run(form)
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return show_again(exc.code)
    return done(result)
