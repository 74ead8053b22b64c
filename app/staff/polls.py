"""投票 on the staff pages: the list, writing and editing drafts, scheduling, opening and
cancelling, turnout and the participants list (never anyone's choice), results with a chart
and their CSV export, and assisted voting (代投) for a resident present in person.

Every rule is the polls service's (app/polls/service.py): the poll form is checked by the same
schema as the staff API (`PollIn`), and the assisted ballot by `AssistedBallotIn`, so a poll
written here and one written through the API obey the same limits. Any staff role may read
polls of its scope and help a resident vote; moderators and admins write and run them.

The question editor works without JavaScript: each question shows its options and a few blank
rows (blank rows are ignored), and "再加选项", "添加一道题" and "删除此题" post the form back
to be shown again with the change, nothing saved until 保存.
"""

from __future__ import annotations

import io
from datetime import datetime
from types import SimpleNamespace

from flask import flash, g, redirect, render_template, request, send_file, url_for
from marshmallow import ValidationError
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app import clock
from app.accounts import service as accounts
from app.accounts.models import StaffRole
from app.errors import ServiceError
from app.polls import service
from app.polls.lifecycle import POLL, staff_actions
from app.polls.models import Poll, PollStatus, QuestionKind
from app.polls.schemas import MAX_OPTIONS, MAX_QUESTIONS, AssistedBallotIn, PollIn
from app.staff import charts, exports
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.choices import choices, region_choices
from app.staff.forms import FilterForm, StaffForm, show_service_error
from app.staff.listing import paged

MANAGERS = (StaffRole.ADMIN, StaffRole.MODERATOR)
# Option rows of a question: at least this many, and this many blank ones under the filled.
OPTION_ROWS, SPARE_OPTION_ROWS, MORE_OPTION_ROWS = 4, 2, 3
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
# The poll's own fields, in the order of PollIn (questions apart).
POLL_FIELDS = ("region_id", "title", "description", "unit", "min_verification", "opens_at",
               "closes_at", "results_visibility", "proposal_id")
VERIFICATION_LABELS = {0: "不限（登录即可）", 1: "已绑定手机", 2: "住户身份已确认"}
UNIT_WORDS = {"person": "人", "household": "户"}


class PollFilterForm(FilterForm):
    status = SelectField("状态", validators=[Optional()],
                         choices=choices(("", "全部"), *[(s, POLL.label(s)) for s in POLL.states]))


class QuestionForm(Form):
    """One question of the poll form. No validators here: PollIn checks the whole poll."""

    text = StringField("题目", render_kw={"maxlength": 200})
    kind = SelectField("题型", choices=choices(("single", "单选"), ("multiple", "多选")),
                       description="单选只能选一项，多选可选多项", validate_choice=False)
    max_choices = StringField("最多可选几项（多选题）", description="不填则可全选",
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    options = FieldList(StringField("选项", render_kw={"maxlength": 60}),
                        max_entries=MAX_OPTIONS)


class PollForm(StaffForm):
    title = StringField("标题", validators=[DataRequired()], render_kw={"maxlength": 60})
    description = TextAreaField("说明", description="投什么、为什么投、结果怎么用",
                                render_kw={"rows": 3})
    region_id = SelectField("投票范围", coerce=int, validators=[DataRequired()],
                            description="该区域内的居民可以参加")
    unit = RadioField("投票单位", default="person", validators=[DataRequired()],
                      choices=choices(("person", "一人一票"),
                                      ("household", "一户一票（须住户身份已确认）")))
    min_verification = SelectField("参加条件", coerce=int, default=1,
                                   choices=choices(*VERIFICATION_LABELS.items()))
    opens_at = StringField("定时开始（可不填）", render_kw={"type": "datetime-local"},
                           description="填了可“定时发布”，到时自动开始；不填则由您按“立即开始”")
    closes_at = StringField("截止时间", validators=[DataRequired()],
                            render_kw={"type": "datetime-local"},
                            description="到时自动结束并公布结果，不能提前结束")
    results_visibility = RadioField(
        "结果公开", default="after_close", validators=[DataRequired()],
        choices=choices(("after_close", "结束后公布（推荐）"),
                        ("live", "投票中即可查看（适合无关紧要的选择，如颜色）")))
    proposal_id = IntegerField("关联提案编号（可不填）", validators=[Optional()],
                               render_kw={"inputmode": "numeric"})
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=MAX_QUESTIONS)


class CancelForm(StaffForm):
    reason = TextAreaField("取消原因", validators=[DataRequired(), Length(min=2, max=200)],
                           description="已投票的居民会收到这段话", render_kw={"rows": 2})


class ResidentSearchForm(FilterForm):
    q = SearchField("居民昵称或门牌", validators=[Optional(), Length(max=40)],
                    render_kw={"placeholder": "昵称，或 楼栋-单元-室"})


# --- the list -------------------------------------------------------------------------------

@bp.get("/polls")
@login_required()
def polls():
    filters = PollFilterForm(request.args)
    status = filters.valid_data()["status"] or None
    return render_template("staff/polls/list.html", filters=filters,
                           page=paged(service.polls_for_staff_query(g.staff, status)),
                           label=POLL.label, may_manage=g.staff.role in MANAGERS)


# --- writing a poll -------------------------------------------------------------------------

def _local_input(moment: datetime | None) -> str:
    return clock.to_local(moment).strftime(LOCAL_INPUT_FORMAT) if moment else ""


def _stored_values(poll: Poll) -> dict:
    """The poll as the form shows it (a multiple choice open to all options: left blank)."""
    questions = []
    for question in poll.questions:
        limited = (question.kind == QuestionKind.MULTIPLE
                   and question.max_choices < len(question.options))
        questions.append(SimpleNamespace(
            text=question.text, kind=question.kind.value,
            max_choices=str(question.max_choices) if limited else "",
            options=[option.text for option in question.options]))
    return {"region_id": poll.region_id, "title": poll.title, "description": poll.description,
            "unit": poll.unit.value, "min_verification": poll.min_verification,
            "opens_at": _local_input(poll.opens_at), "closes_at": _local_input(poll.closes_at),
            "results_visibility": poll.results_visibility.value,
            "proposal_id": poll.proposal_id, "questions": questions}


def _poll_form(poll: Poll | None = None) -> PollForm:
    if request.method == "POST":
        form = PollForm()
    elif poll is not None:
        form = PollForm(formdata=None, data=_stored_values(poll))
    else:
        form = PollForm()
    form.region_id.choices = region_choices(g.staff, set(service.POLL_REGION_LEVELS))
    if request.method == "GET" and poll is None and form.region_id.choices:
        own = g.staff.region_id
        values = [choice.value for choice in form.region_id.choices]
        form.region_id.data = own if own in values else values[0]
    return form


def _pad_option_rows(entry, extra: int = 0) -> None:
    options = entry.form.options
    filled = sum(1 for field in options.entries if (field.data or "").strip())
    wanted = min(MAX_OPTIONS, max(OPTION_ROWS, filled + SPARE_OPTION_ROWS,
                                  len(options.entries) + extra))
    while len(options.entries) < wanted:
        options.append_entry()


def _edit_questions(form: PollForm, action: str) -> None:
    """Apply a post-back button of the question editor to the form (nothing is saved)."""
    questions = form.questions
    verb, _, name = action.partition(":")
    if verb == "add" and len(questions.entries) < MAX_QUESTIONS:
        questions.append_entry()
    entry = next((e for e in questions.entries if e.name == name), None)
    if verb == "remove" and entry is not None:
        questions.entries.remove(entry)
        if not questions.entries:
            questions.append_entry()
    if verb == "more" and entry is not None:
        _pad_option_rows(entry, MORE_OPTION_ROWS)


def _filled_options(entry) -> list:
    return [field for field in entry.form.options.entries if (field.data or "").strip()]


def _poll_data(form: PollForm) -> tuple[dict, list]:
    """What the form says, in the shape PollIn loads, leaving out blank questions and option
    rows and fields whose value the form itself refused. Also the question entries sent, in
    order, to put PollIn's messages beside their fields."""
    data = {}
    for name in POLL_FIELDS:
        field = form[name]
        value = field.data.strip() if isinstance(field.data, str) else field.data
        if not field.errors and value not in ("", None):
            data[name] = value
    data.setdefault("opens_at", None)
    sent = []
    data["questions"] = []
    for entry in form.questions.entries:
        sub = entry.form
        text = (sub.text.data or "").strip()
        options = _filled_options(entry)
        if not text and not options:
            continue
        question = {"kind": sub.kind.data,
                    "options": [{"text": field.data.strip()} for field in options]}
        if text:
            question["text"] = text
        max_choices = (sub.max_choices.data or "").strip()
        if max_choices:
            question["max_choices"] = int(max_choices) if max_choices.isdigit() else max_choices
        data["questions"].append(question)
        sent.append(entry)
    return data, sent


def _messages(value) -> list[str]:
    """Every message in a marshmallow error structure, flattened."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _messages(item)]
    return [text for item in value for text in _messages(item)]


def _add_errors(field, messages) -> None:
    field.errors = [*field.errors, *_messages(messages)]


def _place_errors(form: PollForm, sent: list, errors: dict) -> None:
    """Put PollIn's (or the service's) messages beside the fields they are about; the
    questions' own problems go to `form.question_problems` (by entry name, "" for all)."""
    for name, messages in errors.items():
        if name != "questions":
            field = form._fields.get(name)
            if field is None:
                form.question_problems.setdefault("", []).extend(_messages(messages))
            elif not field.errors:
                _add_errors(field, messages)
            continue
        if not isinstance(messages, dict):
            form.question_problems.setdefault("", []).extend(_messages(messages))
            continue
        for index, problems in messages.items():
            entry = sent[int(index)]
            options = _filled_options(entry)
            for key, value in problems.items():
                if key == "options" and isinstance(value, dict):
                    for option_index, option_problems in value.items():
                        _add_errors(options[int(option_index)], option_problems)
                elif key in ("text", "kind", "max_choices"):
                    _add_errors(entry.form[key], value)
                else:
                    form.question_problems.setdefault(entry.name, []).extend(_messages(value))


def _question_shape(kind, max_choices: int | None, texts: list[str]) -> tuple:
    kind = QuestionKind(kind)
    limit = 1 if kind == QuestionKind.SINGLE else max_choices or len(texts)
    return kind, limit, texts


def _changes(poll: Poll, values: dict) -> dict:
    """What differs from the stored draft (times compared to the minute the form shows)."""
    changes = {}
    for name in POLL_FIELDS:
        stored, given = getattr(poll, name), values.get(name)
        if isinstance(given, datetime) and stored is not None:
            if _local_input(stored) == _local_input(given):
                continue
        if stored != given:
            changes[name] = given
    stored_questions = [(q.text, *_question_shape(q.kind, q.max_choices,
                                                  [o.text for o in q.options]))
                        for q in poll.questions]
    given_questions = [(q["text"], *_question_shape(q["kind"], q.get("max_choices"),
                                                    [o["text"] for o in q["options"]]))
                       for q in values["questions"]]
    if stored_questions != given_questions:
        changes["questions"] = values["questions"]
    return changes


def _error_summary(form: PollForm) -> list[tuple[str, str]]:
    """(field id, message) for every problem on the form, in page order."""
    items = [(field.id, f"{field.label.text}：{message}")
             for field in form if field.name not in ("questions", "csrf_token")
             for message in field.errors]
    items += [("questions", f"题目：{message}") for message in form.question_problems.get("", [])]
    for number, entry in enumerate(form.questions.entries, start=1):
        sub = entry.form
        for field in (sub.text, sub.kind, sub.max_choices):
            items += [(field.id, f"第 {number} 题{field.label.text}：{message}")
                      for message in field.errors]
        items += [(entry.id, f"第 {number} 题：{message}")
                  for message in form.question_problems.get(entry.name, [])]
        for index, option in enumerate(sub.options.entries, start=1):
            items += [(option.id, f"第 {number} 题选项 {index}：{message}")
                      for message in option.errors]
    return items


def _poll_form_page(form: PollForm, poll: Poll | None, status: int = 200):
    for entry in form.questions.entries:
        _pad_option_rows(entry)
    return render_template("staff/polls/form.html", form=form, poll=poll,
                           problems=_error_summary(form), max_questions=MAX_QUESTIONS), status


def _save_poll(form: PollForm, poll: Poll | None):
    """Check the submitted poll with PollIn and create or update it; the page to answer with."""
    form.question_problems = {}
    form.validate()
    data, sent = _poll_data(form)
    try:
        values = PollIn().load(data)
    except ValidationError as exc:
        _place_errors(form, sent, exc.messages)
        return _poll_form_page(form, poll, 422)
    if form.errors or form.question_problems:
        return _poll_form_page(form, poll, 422)
    try:
        if poll is None:
            poll = service.create_poll(g.staff, values)
            flash(f"已保存草稿：{poll.title}", "success")
        else:
            changes = _changes(poll, values)
            if not changes:
                flash("没有改动", "info")
                return redirect(url_for("staff.poll_detail", poll_id=poll.id))
            poll = service.update_poll(g.staff, poll.id, changes)
            flash(f"已保存：{poll.title}", "success")
    except ServiceError as exc:
        if exc.code == 404:
            raise
        show_service_error(form, exc)
        return _poll_form_page(form, poll, exc.code)
    return redirect(url_for("staff.poll_detail", poll_id=poll.id))


def _poll_form_view(poll: Poll | None):
    form = _poll_form(poll)
    form.question_problems = {}
    if request.method == "GET":
        return _poll_form_page(form, poll)
    action = request.form.get("form_action", "save")
    if action != "save":
        _edit_questions(form, action)
        return _poll_form_page(form, poll)
    return _save_poll(form, poll)


@bp.route("/polls/new", methods=["GET", "POST"])
@login_required(*MANAGERS)
def poll_new():
    return _poll_form_view(None)


@bp.route("/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@login_required(*MANAGERS)
def poll_edit(poll_id: int):
    poll = service.get_poll_for_staff(g.staff, poll_id)
    if request.method == "GET" and poll.status != PollStatus.DRAFT:
        flash(f"该投票当前为“{POLL.label(poll.status)}”，只有草稿可以修改", "info")
        return redirect(url_for("staff.poll_detail", poll_id=poll.id))
    return _poll_form_view(poll)


# --- one poll -------------------------------------------------------------------------------

def _result_charts(view: service.PollView) -> list[dict]:
    if view.results is None:
        return []
    return [{"question": question,
             "svg": charts.bar_chart(title=question.text, unit="票",
                                     chart_id=f"chart-question-{question.id}",
                                     rows=[(option.text, option.votes)
                                           for option in question.options]),
             "table": [[option.text, option.votes,
                        charts.format_value(option.share * 100 if option.share is not None
                                            else None, "%")]
                       for option in question.options]}
            for question in view.results.questions]


def _detail_page(poll_id: int, status: int = 200, cancel_form: CancelForm | None = None):
    view = service.poll_view_for_staff(g.staff, poll_id)
    return render_template(
        "staff/polls/detail.html", view=view, poll=view.poll, label=POLL.label,
        actions=staff_actions(view.status) if g.staff.role in MANAGERS else [],
        cancel_form=cancel_form or CancelForm(prefix="cancel"), charts=_result_charts(view),
        unit_word=UNIT_WORDS[view.unit.value], verification=VERIFICATION_LABELS), status


@bp.get("/polls/<int:poll_id>")
@login_required()
def poll_detail(poll_id: int):
    return _detail_page(poll_id)


def _run(poll_id: int, action, done: str, form: CancelForm | None = None):
    """Call a poll action of the service and go back to the poll; a refusal is shown there."""
    form = form or CancelForm(prefix="cancel", formdata=None)
    try:
        poll = action()
    except ServiceError as exc:
        if exc.code in (403, 404):
            raise
        show_service_error(form, exc)
        return _detail_page(poll_id, exc.code, form)
    flash(f"{done}：{poll.title}", "success")
    return redirect(url_for("staff.poll_detail", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/schedule")
@login_required(*MANAGERS)
def poll_schedule(poll_id: int):
    return _run(poll_id, lambda: service.schedule_poll(g.staff, poll_id), "已定时发布")


@bp.post("/polls/<int:poll_id>/unschedule")
@login_required(*MANAGERS)
def poll_unschedule(poll_id: int):
    return _run(poll_id, lambda: service.unschedule_poll(g.staff, poll_id), "已撤回为草稿")


@bp.post("/polls/<int:poll_id>/open")
@login_required(*MANAGERS)
def poll_open(poll_id: int):
    return _run(poll_id, lambda: service.open_poll(g.staff, poll_id), "投票已开始")


@bp.post("/polls/<int:poll_id>/cancel")
@login_required(*MANAGERS)
def poll_cancel(poll_id: int):
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        service.get_poll_for_staff(g.staff, poll_id)  # 404 outside scope first
        return _detail_page(poll_id, 422, form)
    return _run(poll_id, lambda: service.cancel_poll(g.staff, poll_id, form.reason.data.strip()),
                "投票已取消", form)


@bp.get("/polls/<int:poll_id>/participants")
@login_required()
def poll_participants(poll_id: int):
    poll = service.get_poll_for_staff(g.staff, poll_id)
    page = paged(service.participants_query(g.staff, poll.id), 50, scalars=False)
    return render_template("staff/polls/participants.html", poll=poll, page=page,
                           turnout=service.turnout_of(poll),
                           unit_word=UNIT_WORDS[poll.unit.value])


@bp.get("/polls/<int:poll_id>/results.csv")
@login_required()
def poll_results_csv(poll_id: int):
    body = service.results_csv(g.staff, poll_id)
    return send_file(io.BytesIO(body.encode("utf-8")), mimetype=exports.FORMATS["csv"],
                     as_attachment=True, download_name=f"投票结果-{poll_id}.csv", max_age=0)


# --- assisted voting ------------------------------------------------------------------------

def _answers_from_form(poll: Poll) -> list[dict]:
    """The options ticked for each question (unanswered questions left out: the service names
    them)."""
    answers = []
    for question in poll.questions:
        values = request.form.getlist(f"question-{question.id}")
        if values:
            answers.append({"question_id": question.id,
                            "option_ids": [int(v) if v.isdigit() else v for v in values]})
    return answers


def _assisted_page(poll: Poll, resident_id: int | None, status: int = 200,
                   chosen: set[int] | frozenset = frozenset()):
    staff = g.staff
    search = ResidentSearchForm(request.args)
    text = (search.valid_data()["q"] or "").strip()
    found, found_statuses = None, {}
    if text:
        found = paged(accounts.residents_in_scope_query(staff, text=text), 10)
        for resident in found.items:
            found_statuses[resident.id] = service.voter_statuses(resident, [poll])[poll.id]
    resident = voter = None
    if resident_id is not None:
        resident = accounts.get_resident_for_staff(staff, resident_id)
        voter = service.voter_statuses(resident, [poll])[poll.id]
    return render_template("staff/polls/assisted.html", poll=poll, search=search, found=found,
                           found_statuses=found_statuses, resident=resident, voter=voter,
                           chosen=chosen, label=POLL.label), status


def _requested_resident_id(source) -> int | None:
    raw = source.get("resident_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.route("/polls/<int:poll_id>/assisted", methods=["GET", "POST"])
@login_required()
def poll_assisted(poll_id: int):
    poll = service.get_poll_for_staff(g.staff, poll_id)
    if request.method == "GET":
        return _assisted_page(poll, _requested_resident_id(request.args))
    resident_id = _requested_resident_id(request.form)
    resident = accounts.get_resident_for_staff(g.staff, resident_id or 0)
    answers = _answers_from_form(poll)
    chosen = {option for answer in answers for option in answer["option_ids"]}
    try:
        ballot = AssistedBallotIn().load({"resident_id": resident.id, "answers": answers,
                                          "in_person": request.form.get("in_person") == "yes"})
    except ValidationError as exc:
        for message in dict.fromkeys(_messages(exc.messages)):
            flash(message, "error")
        return _assisted_page(poll, resident.id, 422, chosen)
    try:
        service.cast_assisted_ballot(g.staff, poll.id, ballot["resident_id"], ballot["answers"])
    except ServiceError as exc:
        flash(exc.message, "error")
        for message in dict.fromkeys(_messages(exc.errors)):
            if message != exc.message:
                flash(message, "error")
        return _assisted_page(poll, resident.id, exc.code, chosen)
    flash(f"已为{resident.nickname or '该居民'}完成代投。居民会收到通知；所选内容不记在代投记录里。",
          "success")
    return redirect(url_for("staff.poll_assisted", poll_id=poll.id))
