"""The residents' mailbox for staff: mailboxes (admins), the inbox, answering, transferring,
closing, publishing to the public Q&A, and the reply metrics. /api/v1/staff/mailboxes, /letters."""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.api import Blueprint
from app.database import writes_on_read
from app.mailbox import service
from app.mailbox.schemas import (
    CloseIn,
    InboxArgs,
    LetterNoteIn,
    MailboxIn,
    MailboxPatchIn,
    MetricsArgs,
    MetricsOut,
    PublicationOut,
    PublishIn,
    ReplyIn,
    StaffLetterItemOut,
    StaffLetterOut,
    StaffMailboxArgs,
    StaffMailboxListOut,
    StaffMailboxOut,
    TransferIn,
)
from app.pagination import page_of, paginate

blp = Blueprint("staff_mailbox", __name__, url_prefix="/api/v1/staff", description="居民信箱（工作人员）")


@blp.route("/mailboxes", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(StaffMailboxArgs, location="query")
@blp.response(200, StaffMailboxListOut)
@staff_required()
def list_mailboxes(args):
    """本辖区的信箱"""
    return {"mailboxes": service.mailboxes_for_staff(g.staff, **args)}


@blp.route("/mailboxes", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(MailboxIn)
@blp.response(201, StaffMailboxOut)
@staff_required(StaffRole.ADMIN)
def create_mailbox(args):
    """新建信箱：名称、说明、答复人员、答复时限（管理员）"""
    return service.create_mailbox(g.staff, **args)


@blp.route("/mailboxes/<int:mailbox_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffMailboxOut)
@staff_required()
def get_mailbox(mailbox_id):
    """一个信箱的设置"""
    return service.get_mailbox_for_staff(g.staff, mailbox_id)


@blp.route("/mailboxes/<int:mailbox_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(MailboxPatchIn)
@blp.response(200, StaffMailboxOut)
@staff_required(StaffRole.ADMIN)
def update_mailbox(changes, mailbox_id):
    """修改信箱设置或答复人员；停用后居民不能再写信（管理员）"""
    return service.update_mailbox(g.staff, mailbox_id, changes)


@blp.route("/mailboxes/metrics", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(MetricsArgs, location="query")
@blp.response(200, MetricsOut)
@staff_required()
def mailbox_metrics(args):
    """各信箱的答复时效：来信数、按时答复率、首次答复平均/中位用时"""
    return service.mailbox_metrics(g.staff, **args)


@blp.route("/letters", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(InboxArgs, location="query")
@blp.response(200, page_of(StaffLetterItemOut))
@staff_required()
def inbox(args):
    """信件列表：未读、待答复、已超时、已答复、已办结"""
    query = service.inbox_query(g.staff, view=args["view"], mailbox_id=args.get("mailbox_id"),
                                flagged=args.get("flagged"))
    return paginate(query, args["page"], args["per_page"])


@blp.route("/letters/<int:letter_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffLetterOut)
@staff_required()
@writes_on_read
def open_letter(letter_id):
    """阅读一封信（记入审计日志；首次阅读后居民看到“已读”）"""
    return service.open_letter(g.staff, letter_id)


@blp.route("/letters/<int:letter_id>/read", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, StaffLetterOut)
@staff_required()
def mark_read(letter_id):
    """标记为已读"""
    return service.mark_read(g.staff, letter_id)


@blp.route("/letters/<int:letter_id>/replies", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ReplyIn)
@blp.response(201, StaffLetterOut)
@staff_required()
def reply(args, letter_id):
    """答复居民（以信箱名义署名）"""
    return service.reply(g.staff, letter_id, **args)


@blp.route("/letters/<int:letter_id>/notes", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(LetterNoteIn)
@blp.response(201, StaffLetterOut)
@staff_required()
def add_note(args, letter_id):
    """内部备注（居民看不到）"""
    return service.add_note(g.staff, letter_id, **args)


@blp.route("/letters/<int:letter_id>/transfer", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(TransferIn)
@blp.response(200, StaffLetterOut)
@staff_required()
def transfer(args, letter_id):
    """转交到另一个信箱（答复时限不变，通知居民）"""
    return service.transfer(g.staff, letter_id, **args)


@blp.route("/letters/<int:letter_id>/close", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(CloseIn)
@blp.response(200, StaffLetterOut)
@staff_required()
def close(args, letter_id):
    """办结（未答复过的信件须填写办结说明）"""
    return service.close(g.staff, letter_id, **args)


@blp.route("/letters/<int:letter_id>/publication", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PublicationOut)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
@writes_on_read
def publication_draft(letter_id):
    """公开稿：已公开的内容，或自动隐去个人信息后的草稿（记入审计日志）"""
    return service.publication_draft(g.staff, letter_id)


@blp.route("/letters/<int:letter_id>/publication", methods=["PUT"])
@blp.doc(security=BEARER)
@blp.arguments(PublishIn)
@blp.response(200, PublicationOut)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
def publish(args, letter_id):
    """公开到来信选登（须居民同意；发布前自动隐去电话、证件号、门牌和姓名）"""
    return service.publish(g.staff, letter_id, subject=args.get("subject"),
                           body=args.get("body"), reply_text=args.get("reply"),
                           names_to_mask=args["names_to_mask"])


@blp.route("/letters/<int:letter_id>/publication", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(204)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
def unpublish(letter_id):
    """撤下公开的内容"""
    service.unpublish(g.staff, letter_id)
