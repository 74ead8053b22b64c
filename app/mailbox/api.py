"""The residents' mailbox for the mini-program: /api/v1/mailboxes, /api/v1/letters, and the
public Q&A at /api/v1/public-letters."""

from flask import g

from app.accounts.auth import BEARER, resident_required
from app.api import Blueprint
from app.mailbox import service
from app.mailbox.schemas import (
    ConsentIn,
    FollowUpIn,
    LetterIn,
    LetterItemOut,
    LetterOut,
    MailboxListOut,
    PublicLetterArgs,
    PublicLetterOut,
)
from app.pagination import PageArgs, page_of, paginate

blp = Blueprint("mailbox", __name__, url_prefix="/api/v1", description="居民信箱")


@blp.route("/mailboxes", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, MailboxListOut)
@resident_required
def list_mailboxes():
    """我所在社区的信箱（书记信箱、主任信箱等）"""
    return {"mailboxes": service.mailboxes_for_resident(g.resident)}


@blp.route("/letters", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(LetterItemOut))
@resident_required
def list_letters(args):
    """我写的信"""
    return paginate(service.letters_of_resident_query(g.resident), args["page"], args["per_page"])


@blp.route("/letters", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(LetterIn)
@blp.response(201, LetterOut)
@resident_required
def write_letter(args):
    """写信给本社区的信箱（标题 ≤ 60 字，正文 ≤ 5000 字，最多 9 张照片）"""
    return service.write_letter(g.resident, **args)


@blp.route("/letters/<int:letter_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, LetterOut)
@resident_required
def get_letter(letter_id):
    """我的一封信和往来记录"""
    return service.get_letter_for_resident(g.resident, letter_id)


@blp.route("/letters/<int:letter_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(ConsentIn)
@blp.response(200, LetterOut)
@resident_required
def set_consent(args, letter_id):
    """同意或撤回公开（撤回后已公开的内容立即撤下）"""
    return service.set_consent(g.resident, letter_id, args["consent_to_publish"])


@blp.route("/letters/<int:letter_id>/messages", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(FollowUpIn)
@blp.response(201, LetterOut)
@resident_required
def follow_up(args, letter_id):
    """追问（已答复的信件会重新等待答复）"""
    return service.follow_up(g.resident, letter_id, **args)


@blp.route("/public-letters", methods=["GET"])
@blp.arguments(PublicLetterArgs, location="query")
@blp.response(200, page_of(PublicLetterOut))
def list_public_letters(args):
    """公开的来信选登（已隐去个人信息）"""
    query = service.public_letters_query(community_id=args.get("community_id"),
                                         mailbox_id=args.get("mailbox_id"))
    return paginate(query, args["page"], args["per_page"])


@blp.route("/public-letters/<int:publication_id>", methods=["GET"])
@blp.response(200, PublicLetterOut)
def get_public_letter(publication_id):
    """一封公开的来信和答复"""
    return service.get_public_letter(publication_id)
