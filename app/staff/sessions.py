"""Signing in and out of the staff pages, the 大字 switch, and changing one's own password."""

from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, request, url_for
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.accounts import service as accounts
from app.accounts.api import limit_logins
from app.errors import ServiceError
from app.staff import auth
from app.staff.blueprint import bp
from app.staff.forms import StaffForm, show_service_error


class LoginForm(StaffForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=40)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"})
    password = PasswordField("密码", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(StaffForm):
    current_password = PasswordField("当前密码", validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("新密码（至少 10 位）",
                                 validators=[DataRequired(), Length(
                                     min=10, max=200, message="密码应为 10 到 200 位")],
                                 render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField("再输入一次新密码",
                                     validators=[DataRequired(), EqualTo("new_password")],
                                     render_kw={"autocomplete": "new-password"})


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = auth.safe_next(request.args.get("next"))
    if g.staff is not None:
        return redirect(next_url)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            limit_logins()
            value, _staff = accounts.start_staff_session(form.username.data.strip(),
                                                         form.password.data)
        except ServiceError as exc:
            # Wrong password, a locked account, too many attempts: the service's words, on
            # the form, with its status code.
            flash(exc.message, "error")
            status = exc.code
        else:
            response = redirect(next_url)
            auth.set_session_cookie(response, value)
            return response
    elif form.errors:
        status = 422
    return render_template("staff/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    if g.staff_session is not None:
        accounts.end_staff_session(g.staff_session)
    flash("已退出登录", "success")
    response = redirect(url_for("staff.login"))
    auth.clear_session_cookie(response)
    return response


@bp.post("/large-text")
def large_text():
    """The 大字 switch: on or off for this browser, then back to the page it was pressed on."""
    turn_on = request.form.get("on") == "1"
    response = make_response(redirect(auth.safe_next(request.form.get("next"))))
    response.set_cookie(auth.LARGE_TEXT_COOKIE, "1" if turn_on else "0",
                        max_age=365 * 24 * 3600, path="/staff", samesite="Lax", httponly=True)
    return response


@bp.route("/password", methods=["GET", "POST"])
@auth.login_required()
def change_password():
    form = PasswordChangeForm()
    status = None
    if form.validate_on_submit():
        try:
            value = accounts.change_own_password(g.staff, form.current_password.data,
                                                 form.new_password.data)
        except ServiceError as exc:
            show_service_error(form, exc)
            status = exc.code
        else:
            flash("密码已修改，其他设备上的登录已全部退出", "success")
            response = redirect(url_for("staff.home"))
            auth.set_session_cookie(response, value)
            return response
    status = status or (422 if form.errors else 200)
    return render_template("staff/password.html", form=form), status
