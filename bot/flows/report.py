"""Flow 1 随手拍: photo → what the problem is → where → category → read-back → filed (source bot).

Steps; the draft is kept in the dialog's data and the flow asks only for what is still missing:

    photo        "请发一张照片" (saying the problem instead goes on without one: 0–9 photos)
    description  "请说一下是什么问题" (typed, or spoken: WeChat's Recognition)
    location     "请发送位置，或说出地址" (a location message, or words: see "Place")
    category     the active categories by number, five a screen ("下一页" for more)
    confirm      the read-back, "回复1确认，2重来"
    (community, community_pick: bot/flows/community.py, for a spoken address from a resident
    without a community)

Photos. Each image message is downloaded by a job (`fetch_photo`: the request never calls
WeChat), stored with app.uploads.store_photo as the resident's upload, and its id added to the
draft; the reply to the photo is immediate ("已收到照片"). When the download fails (40007: the
media id expired; the network) the job sends a customer-service text asking for the photo again
and takes the draft back to the photo step, keeping what was already said. Confirming waits for
photos still being downloaded.

Place. A location message gives GCJ-02 coordinates, which route the report to its grid. Spoken
words have none, so the report takes the position the follower shared within the last 30
minutes (a location message, or the LOCATION event WeChat sends when the chat opens); failing
that, a point inside the resident's community (the centre of its boundary when that lies inside
it, else the centre of one of its grids), which routes the report to that community, and the
address says "（口述地址）" so staff know the point is only the community's. A resident without
a community is asked for it first; a community drawn on no map gives no point, and the resident
is asked to send a location message.

Filing. The reports service calls WeChat's content check, so filing cannot happen while
answering: confirming hands the draft to a job (bot/submissions.py) and goes back to the menu
("正在提交"); the job files the report and sends its number by customer-service message. When
the service refuses (risky words, a place outside every community, a withdrawn category), the
job says why and, if the resident is not busy with another flow, reopens the draft at the step
that can fix it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from app import jobs, reports
from app.accounts import service as accounts
from app.accounts.models import Resident
from app.categories.service import active_categories
from app.errors import ServiceError
from app.extensions import db
from app.geo import geometry_contains
from app.regions.models import Region, RegionLevel
from app.regions.service import find_grid
from app.reports.service import ADDRESS_MAX, DESCRIPTION_MAX
from app.uploads import store_photo
from app.wechat.errors import WeChatError
from app.wechat.gateway import get_gateway
from bot import jobs as bot_jobs
from bot import submissions
from bot.flows import Flow, Reply, choices, community
from bot.intents import IntentKind
from bot.menus import join
from bot.turn import Location, Turn, resume

log = logging.getLogger(__name__)

BACK = "回复0返回"
KEY = "report"
MAX_PHOTOS = 9
# A shared position this recent stands for where the resident is now.
RECENT_LOCATION = timedelta(minutes=30)
SPOKEN_MARK = "（口述地址）"
_SKIP_PHOTO = frozenset({"没有", "没有照片", "没照片", "没有图片", "不拍", "不拍了", "拍不了",
                         "跳过", "不用照片", "不发照片", "没法拍"})


# --- the draft -------------------------------------------------------------------------------

def _new_draft(turn: Turn) -> None:
    turn.dialog.data = {"token": secrets.token_hex(8), "photos": [], "pending": []}


def _missing_step(data: dict) -> str:
    if not (data.get("photos") or data.get("pending") or data.get("no_photo")):
        return "photo"
    if not data.get("description"):
        return "description"
    if data.get("lat") is None:
        return "location"
    if not data.get("category"):
        return "category"
    return "confirm"


def _advance(turn: Turn, lead: str = "") -> str:
    """Go to the first step still unanswered (the read-back once all are) and ask it."""
    turn.goto(_missing_step(turn.data))
    return join(lead, prompt(turn))


def _words(turn: Turn) -> str | None:
    """What the resident said or typed, when it is content (not a number or a command):
    "我要反映一下……" gives what follows the phrase; another flow's phrase with content is kept
    whole."""
    intent = turn.intent
    if intent.kind is IntentKind.TEXT:
        return intent.text
    if intent.detail:
        return intent.detail if intent.kind is IntentKind.REPORT else intent.text
    return None


# --- screens -------------------------------------------------------------------------------

def prompt(turn: Turn) -> str:
    step = turn.step
    elder = turn.elder
    if step in community.STEPS:
        return community.prompt(turn)
    if step == "photo":
        if elder:
            return join("请拍张照片发过来。没照片就直接说什么问题。", BACK)
        return join("请发一张问题的照片（点输入框旁的“+”，选“照片”或“拍摄”）。",
                    "没有照片，直接说是什么问题也可以。", BACK)
    if step == "description":
        if elder:
            return join("请说是什么问题。", BACK)
        return join("请说一下是什么问题（打字或发语音都可以）。", BACK)
    if step == "location":
        if elder:
            return join("在哪里？发个位置，或者说地址。", BACK)
        return join("请发送位置（点“+”，选“位置”），或说出地址，比如“3栋2单元楼下”。", BACK)
    if step == "category":
        return _category_screen(turn)
    return _read_back(turn)


def _category_screen(turn: Turn) -> str:
    names = [category["name"] for category in active_categories()]
    if not names:
        return join("暂时不能选类别，请稍后再试。", BACK)
    title = "是哪一类问题？" if turn.elder else "请选择问题的类别（回复数字）："
    return choices.screen(title, names, turn.data.get("page", 0), elder=turn.elder)


def _excerpt(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _read_back(turn: Turn) -> str:
    data = turn.data
    photos = len(data.get("photos", [])) + len(data.get("pending", []))
    place = data.get("address") or "您发的位置"
    if turn.elder:
        return join(f"您要报：{_excerpt(data['description'], 40)}", f"地点：{place}",
                    f"类别：{data['category_name']}", "回复1确认，2重来")
    return join("请核对：", f"问题：{_excerpt(data['description'], 80)}", f"地点：{place}",
                f"类别：{data['category_name']}", f"照片：{photos}张" if photos else "照片：无",
                "回复1确认，2重来", BACK)


# --- the flow ------------------------------------------------------------------------------

def start(turn: Turn) -> Reply:
    _new_draft(turn)
    if turn.message.kind == "image":
        return _on_photo(turn)
    words = _words(turn)
    if words and len(words) <= DESCRIPTION_MAX:
        # "我要反映一下3号楼的路灯坏了": the problem is said already; a photo is still asked for.
        turn.data["description"] = words
    turn.goto("photo")
    return prompt(turn)


def handle(turn: Turn) -> Reply:
    step = turn.step
    if step in community.STEPS:
        return community.handle(turn, _place_in_community)
    if "token" not in turn.data:  # a dialog from before this flow existed
        return start(turn)
    message = turn.message
    if message.kind == "image":
        return _on_photo(turn)
    if message.kind == "location":
        return _on_location(turn, message.location)
    if step == "photo":
        return _on_photo_step(turn)
    if step == "description":
        return _on_description(turn)
    if step == "location":
        return _on_spoken_place(turn)
    if step == "category":
        return _on_category(turn)
    if step == "confirm":
        return _on_confirm(turn)
    return _advance(turn)


def _on_photo(turn: Turn) -> Reply:
    data = turn.data
    photos, pending = list(data.get("photos", [])), list(data.get("pending", []))
    if len(photos) + len(pending) >= MAX_PHOTOS:
        return join(f"最多{MAX_PHOTOS}张照片，这张就不要了。", prompt(turn))
    media_id = turn.message.media_id or ""
    turn.goto(turn.step or "photo", pending=[*pending, media_id], no_photo=False)
    turn.enqueue(fetch_photo, turn.openid, data["token"], media_id)
    count = len(photos) + len(pending) + 1
    lead = "已收到照片。" if count == 1 else f"已收到第{count}张照片。"
    if turn.step == "photo":
        return _advance(turn, lead)
    return join(lead, prompt(turn))


def _on_photo_step(turn: Turn) -> Reply:
    intent = turn.intent
    if intent.text in _SKIP_PHOTO:
        turn.goto("photo", no_photo=True)
        return _advance(turn, "好的，不要照片。")
    words = _words(turn)
    if words:
        said = turn.data.get("description")
        return _describe(turn, f"{said}，{words}" if said else words,
                         lead="好的，没有照片也可以。", without_photo=True)
    return join("请发照片；没有照片就直接说是什么问题。", BACK)


def _describe(turn: Turn, words: str, lead: str = "", *, without_photo: bool = False) -> Reply:
    """Keep what the problem is (`without_photo`: said instead of sending a photo)."""
    if len(words) > DESCRIPTION_MAX:
        return join(f"说得有点长，请简短一些（{DESCRIPTION_MAX}字以内）。", prompt(turn))
    turn.goto(turn.step or "photo", description=words)
    if without_photo:
        turn.data["no_photo"] = True
    return _advance(turn, lead)


def _on_description(turn: Turn) -> Reply:
    words = _words(turn)
    if not words:
        return join("请用一两句话说说是什么问题。", BACK)
    return _describe(turn, words)


def _on_location(turn: Turn, location: Location) -> Reply:
    turn.goto(turn.step, lat=location.lat, lng=location.lng,
              address=location.label[:ADDRESS_MAX])
    return _advance(turn, "收到位置。")


def _recent_position(turn: Turn) -> dict | None:
    shared = turn.dialog.last_location
    if not shared or not shared.get("at"):
        return None
    try:
        at = datetime.fromisoformat(shared["at"])
    except (TypeError, ValueError):
        return None
    return shared if turn.now - at <= RECENT_LOCATION else None


def _on_spoken_place(turn: Turn) -> Reply:
    words = _words(turn)
    if not words:
        return join("请发送位置，或说出地址。", BACK)
    address = words[:ADDRESS_MAX - len(SPOKEN_MARK)]
    shared = _recent_position(turn)
    if shared is not None:
        turn.goto("location", lat=shared["lat"], lng=shared["lng"], address=address)
        return _advance(turn)
    turn.goto("location", spoken_address=address)
    if turn.resident.community is None:
        return community.ask(turn, "还需要知道您住哪个社区，好把问题转给对应的社区。")
    return _place_in_community(turn)


def community_point(community: Region) -> tuple[float, float] | None:
    """A point inside the community that routes a report to it: the centre of its boundary's
    box when that lies inside it, else the centre of one of its grids; None without a map."""
    candidates = []
    if community.boundary and community.min_lat is not None:
        candidates.append((community.boundary, community))
    candidates.extend((child.boundary, child) for child in community.children
                      if child.level == RegionLevel.GRID and child.boundary
                      and child.min_lat is not None)
    for boundary, region in candidates:
        lat = (region.min_lat + region.max_lat) / 2
        lng = (region.min_lng + region.max_lng) / 2
        if not geometry_contains(boundary, lat, lng):
            continue
        grid = find_grid(lat, lng)
        if grid is None or grid.path.startswith(community.path):
            return lat, lng
    return None


def _place_in_community(turn: Turn) -> Reply:
    address = turn.data.get("spoken_address", "")
    point = community_point(turn.resident.community)
    if point is None:
        turn.goto("location")
        return join("光说地址还定不了位置，请发一个位置：点输入框旁的“+”，再点“位置”。", BACK)
    turn.goto("location", lat=point[0], lng=point[1], address=address + SPOKEN_MARK)
    return _advance(turn)


def _on_category(turn: Turn) -> Reply:
    categories = active_categories()
    intent = turn.intent
    if intent.kind is IntentKind.CONTINUE:
        turn.goto("category", page=choices.next_page(turn.data.get("page", 0), len(categories)))
        return prompt(turn)
    index = choices.picked(intent.number, len(categories)) \
        if intent.kind is IntentKind.NUMBER else None
    if index is None and intent.kind is IntentKind.TEXT:
        named = [i for i, category in enumerate(categories) if category["name"] in intent.text]
        index = named[0] if len(named) == 1 else None
    if index is None:
        return join("请回复类别前面的数字。", prompt(turn))
    category = categories[index]
    turn.goto("category", category=category["code"], category_name=category["name"])
    return _advance(turn)


def _on_confirm(turn: Turn) -> Reply:
    intent = turn.intent
    if (intent.kind is IntentKind.NUMBER and intent.number == 1) \
            or intent.kind is IntentKind.CONFIRM:
        if turn.data.get("pending"):
            return join("照片还在接收，请过几秒再回复1。", BACK)
        return _submit(turn)
    if (intent.kind is IntentKind.NUMBER and intent.number == 2) or intent.kind is IntentKind.REDO:
        _new_draft(turn)
        turn.goto("photo")
        return join("好的，重新来。", prompt(turn))
    return join("请回复1确认，2重来。", prompt(turn))


def _submit(turn: Turn) -> Reply:
    data = turn.data
    draft = {key: data.get(key) for key in ("photos", "description", "lat", "lng", "address",
                                            "category", "category_name")}
    submissions.submit(turn, KEY, draft, file_submission)
    if turn.elder:
        return turn.back_to_menu("好的，在提交了，编号马上发给您。")
    return turn.back_to_menu("好的，正在提交，马上把编号发给您。")


flow = Flow(key=KEY, title="随手拍", elder_title="报问题", intent=IntentKind.REPORT,
            start=start, handle=handle, prompt=prompt, accepts_photo=True,
            takes_words=lambda turn: turn.step in ("photo", "description", "location"))


# --- jobs ----------------------------------------------------------------------------------

_PHOTO_FAILED = "照片没有收到（可能已过期），请再发一次照片。"


def fetch_photo(openid: str, token: str, media_id: str) -> None:
    """Download a photo the resident sent, store it as theirs and add it to the draft; when
    WeChat cannot give it, ask for it again and take the draft back to the photo step."""
    resident = accounts.resident_for_official_account(openid, create=False)
    if resident is None:
        return
    resident_id = resident.id
    db.session.rollback()  # no transaction stays open while WeChat answers
    upload_id = failure = None
    try:
        content = get_gateway().download_media(media_id)
        upload_id = store_photo(content, resident=db.session.get(Resident, resident_id)).upload.id
    except WeChatError as exc:
        log.info("photo %s of %s not downloaded: %s", media_id, openid, exc)
        failure = _PHOTO_FAILED
    except ServiceError as exc:
        failure = f"这张照片用不了：{exc.message}。请换一张再发。"
    turn = resume(openid, KEY, token)
    if turn is None:
        return  # the resident left this report (the upload, if any, is swept unclaimed)
    pending = [item for item in turn.data.get("pending", []) if item != media_id]
    if upload_id is not None:
        turn.dialog.data.update(pending=pending, photos=[*turn.data.get("photos", []), upload_id])
    else:
        turn.dialog.data.update(pending=pending)
        if not turn.data.get("photos") and not pending:
            turn.goto("photo")
            failure = join(failure, prompt(turn))
        turn.send_later(failure)
    db.session.commit()


# A refusal naming one of these fields reopens the draft without the values it names.
_REFUSED_VALUES = {"description": ("description",), "location": ("lat", "lng", "address"),
                   "category": ("category", "category_name"), "photo_ids": ("photos",)}


def file_submission(submission_id: int) -> None:
    """File a confirmed report through the reports service and send its number."""
    submission = submissions.claim(submission_id)
    if submission is None:
        return
    resident = db.session.get(Resident, submission.resident_id)
    draft = dict(submission.draft)
    openid = submission.openid
    try:
        report = reports.file_report(
            reporter=resident, source=reports.ReportSource.BOT,
            category_code=draft["category"], description=draft["description"],
            lat=draft["lat"], lng=draft["lng"], address=draft.get("address") or "",
            photo_ids=draft.get("photos") or [])
    except ServiceError as exc:
        db.session.rollback()
        submissions.refuse(submission_id, exc.message)
        _reopen(openid, draft, exc)
        db.session.commit()
        return
    submissions.record_result(submission_id, report.id)
    if resident.elder_mode:
        text = f"提交好了，编号 {report.number}。说“查进度”可以看办得怎么样。"
    else:
        text = (f"提交成功！您反映的问题编号是 {report.number}。工作人员会尽快处理，进展会通知您；"
                "说“查进度”可以随时查看。")
    jobs.enqueue(bot_jobs.send_text, openid, text)
    db.session.commit()


def _reopen(openid: str, draft: dict, exc: ServiceError) -> None:
    """Tell the resident why the report was refused; reopen the draft at the step that can fix
    it when the refusal names one (risky words → the description, and so on)."""
    fields = [field for field in (exc.errors or {}) if field in _REFUSED_VALUES]
    data = None
    if fields:
        data = {**draft, "token": secrets.token_hex(8), "pending": [],
                "no_photo": "photo_ids" not in fields}
        for field in fields:
            for key in _REFUSED_VALUES[field]:
                data.pop(key, None)
    submissions.tell_or_reopen(openid, flow=KEY, lead=f"您反映的问题没有提交成功：{exc.message}",
                               retry="说“随手拍”可以重新反映。", data=data, ask=_advance)
