"""The bot's intent parser: one reading of typed text, menu taps and voice Recognition text.

Elderly residents answer the bot in many ways: "1", "１", "一", "第一个", a voice message that
WeChat transcribes as "嗯，我选第一个。", or a phrase such as "我要反映问题". `parse()` turns each
of them into an `Intent` the dialog flows switch on. It is pure (no I/O, no state): what a kind
means depends on the screen the resident is looking at, and only the flow knows that.

The rules (each one is tested in tests/bot/test_intents.py):

- `normalize()` is conservative, because the text it returns is what flows keep (a description,
  an address). It removes only what never carries meaning: whitespace, punctuation, WeChat emoji
  codes such as "[抱拳]", and hesitation or politeness words at the edges. Particles that can be
  part of the meaning ("了" in 坏了 or 算了, "嘛" in 干嘛, "吧" in 网吧) are dropped only from the
  private matching key.
- NUMBER only when the whole utterance is a number expression ("2", "２", "二", "第二个", "选2",
  "就第三个吧"); "3号楼门口有垃圾" is TEXT. Digits count up to 999 and Chinese numerals up to 99;
  longer digit strings (phone numbers, report codes) and "1.5" or "1 2" stay TEXT.
- "0" (and 零, 〇, 洞) is NUMBER 0, never BACK: it means 返回 on a menu but 继续 on a paged
  reply (bot/text.py), and only the flow knows which screen is shown.
- Phrase intents (REPORT … HELP) match only when the utterance is essentially the phrase once
  fillers are set aside ("我想查一下进度", "好的，确认"). A sentence that merely contains a phrase
  is TEXT ("3号楼路灯坏了我要投诉" is TEXT, a description for the flow).
- Except at the start: REPORT and LETTER, whose flows collect a description, also match a
  leading phrase followed by content ("我要反映一下3号楼的路灯坏了"). The content is in
  `Intent.detail`; `Intent.text` always holds the whole normalized utterance. A phrase followed by
  "了/过/的…" is narration ("投诉了三次都没人管"), so that stays TEXT.
- "嗯" alone and other filler-only input are EMPTY: a grunt is not a confirmation.
- `parse_choices()` reads several numbers in one message ("1 3", "1、3", "一和三",
  "第一个和第三个") for questions that take more than one answer; `parse()` keeps reading
  "1 3" as TEXT, because only the flow knows that several numbers make sense on its screen.
- Settings of the resident's own: ELDER_MODE ("长辈模式") and STANDARD_MODE ("普通模式") switch
  the bot's wording; BIND ("绑定 123456") links the follower to a mini-program account, with
  the six digits (typed or spoken) in `detail`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass


class IntentKind(enum.StrEnum):
    """What a resident's message asks for, whatever way it was typed, tapped or spoken."""

    NUMBER = "number"
    REPORT = "report"
    PROGRESS = "progress"
    LETTER = "letter"
    VOTE = "vote"
    HUMAN = "human"
    BACK = "back"
    CONTINUE = "continue"
    CONFIRM = "confirm"
    REDO = "redo"
    HELP = "help"
    ELDER_MODE = "elder_mode"
    STANDARD_MODE = "standard_mode"
    BIND = "bind"
    EMPTY = "empty"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Intent:
    """One parsed message.

    `number` is set for NUMBER only. `text` is the normalized utterance for every kind (flows that
    need the words read it). `detail` is the content after a leading REPORT or LETTER phrase
    ("我要反映一下3号楼的路灯坏了" → "3号楼的路灯坏了"), or BIND's six digits ("绑定 123456" →
    "123456"); empty when the utterance is just the phrase.
    """

    kind: IntentKind
    number: int | None = None
    text: str = ""
    detail: str = ""


# --- numbers ---------------------------------------------------------------------------------

_DIGITS = {
    "零": 0, "〇": 0, "洞": 0,
    "一": 1, "幺": 1, "壹": 1,
    "二": 2, "两": 2, "俩": 2, "贰": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_NUMERAL_CHARS = "".join(_DIGITS) + "十拾"
# Only these may stand before or after 十: "二十三", not "两十" or "十幺".
_TENS_AND_UNITS = {
    char: value for char, value in _DIGITS.items() if 1 <= value and char not in "两俩幺"
}


def _chinese_number(numeral: str) -> int | None:
    """The value of a Chinese numeral from 0 to 99 ("二", "十二", "二十", "二十三"), else None.

    Strings of bare digits ("一二") are not read as numbers: spoken that way they are usually
    room or phone numbers, not a menu choice.
    """
    numeral = numeral.replace("拾", "十")
    if len(numeral) == 1:
        return 10 if numeral == "十" else _DIGITS.get(numeral)
    tens, ten, units = numeral.partition("十")
    if not ten or "十" in units:
        return None
    tens_value = _TENS_AND_UNITS.get(tens) if tens else 1
    units_value = _TENS_AND_UNITS.get(units) if units else 0
    if tens_value is None or units_value is None:
        return None
    return tens_value * 10 + units_value


_NUMBER = re.compile(
    r"(?:我)?(?:就)?(?:选|选择|投|要|按|点|回复|回|是)?(?:选项)?(?:第)?"
    rf"(?:(?P<digits>[0-9]{{1,3}})|(?P<numeral>[{_NUMERAL_CHARS}]{{1,3}}))"
    r"(?:个|项|号|条|种|位)?(?:选项)?"
)


def _match_number(key: str) -> int | None:
    match = _NUMBER.fullmatch(key)
    if match is None:
        return None
    if match.group("digits") is not None:
        return int(match.group("digits"))
    return _chinese_number(match.group("numeral"))


# --- normalize -------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# NFKC would turn Chinese punctuation inside a description into ASCII ("，" → ","); the
# resident's words are kept as written, so only these are left out of it.
_CHINESE_PUNCTUATION = re.compile("([\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e…]+)")
_WHITESPACE = re.compile(r"\s+")
# The WeChat emoji panel sends "[微笑]", "[抱拳]", "[OK]" as text, and elderly users add them
# often. A bracketed numeral ("[二]") is an answer, not an emoji.
_EMOJI_CODE = rf"\[(?![{_NUMERAL_CHARS}]+\])[^\W\d_]{{1,8}}\]"

# Noise at the start: punctuation, symbols, spaces, emoji codes, and words that never carry
# meaning there. Lookaheads keep real words whole: "我想想" (let me think), "麻烦事".
_LEADING_NOISE = re.compile(
    rf"{_EMOJI_CODE}|[\W_]+"
    r"|嗯+|啊+|呃+|额+|唔+|哦+|噢+|哎+|诶+|欸+|那个|就是说|就是|我想(?!想)|请问|请|帮我"
    r"|麻烦(?:你|您)?(?![事了的大死])"
)
# Noise at the end, matched on the reversed text so that each step is a `match` at a position.
# Sentence-final particles and softeners; "吧" stays after the characters that make it a place
# (网吧, 酒吧 …). Longest words first: "一下" must go whole, not leave "一" behind.
_TRAILING_NOISE_REVERSED = re.compile(
    rf"\](?![{_NUMERAL_CHARS}]+\[)[^\W\d_]{{1,8}}\[|[\W_]+"  # "[微笑]" and punctuation, reversed
    r"|子下一|下一|啊+|呀+|啦+|哦+|噢+|嗯+|吧(?![酒网贴书氧茶水话迪陶])"
)


def _nfkc(text: str) -> str:
    """NFKC (full-width letters and digits become half-width) except for Chinese punctuation."""
    pieces = _CHINESE_PUNCTUATION.split(text)
    # re.split with a group puts the separators at the odd indexes.
    return "".join(
        piece if index % 2 else unicodedata.normalize("NFKC", piece)
        for index, piece in enumerate(pieces)
    )


def normalize(text: str | None) -> str:
    """The utterance without noise: NFKC, collapsed whitespace, no punctuation or fillers at the edges.

    Full-width digits and letters become half-width ("２" → "2"); punctuation inside the text is
    kept ("路灯坏了，晚上很黑"), so the result can be stored as the resident's words.
    """
    if not text:
        return ""
    text = _WHITESPACE.sub(" ", _INVISIBLE.sub("", _nfkc(text)))
    reversed_text = text[::-1]
    start, end = 0, len(text)
    while start < end:
        leading = _LEADING_NOISE.match(text, start, end)
        if leading and leading.end() > start:
            start = leading.end()
            continue
        trailing = _TRAILING_NOISE_REVERSED.match(reversed_text, len(text) - end, len(text) - start)
        if trailing and trailing.end() > len(text) - end:
            end = len(text) - trailing.end()
            continue
        break
    return text[start:end]


# --- phrases ---------------------------------------------------------------------------------
# Patterns are matched against the whole matching key (lower case, no spaces or punctuation),
# so they read as the spoken phrase. Fillers around them are handled by the candidate keys.

_PROBLEM = r"(?:问题|情况|事情|事儿|事|故障)"
_REPORT_VERB = r"(?:随手拍|报事报修|报事|报修|投诉|举报|上报|反映)"
_RECIPIENT = r"(?:书记|主任|社区|领导|居委会)"
_WRITE = r"(?:写信|写封信|写一封信|写个信|留言|留个言|写留言)"

_PHRASES: dict[IntentKind, str] = {
    IntentKind.REPORT: (
        rf"(?:{_REPORT_VERB}|反应)(?:一下|下)?(?:个|一个|些)?{_PROBLEM}?"
        rf"|(?:提|报|说|报告|讲)(?:一下|下)?(?:个|一个|些)?{_PROBLEM}"
        rf"|我?(?:有|发现)(?:个|一个|些)?(?:问题|情况)(?:要|想)?(?:反映|报告|说|上报)?"
    ),
    IntentKind.PROGRESS: (
        r"(?:查|查询|查看|看|看看|查查|问|问问|了解)?(?:一下|下)?(?:我的|我)?"
        r"(?:报事|反映|反映的|反映的问题|报的|报的事|报修|投诉|问题|工单|事情|事)?的?"
        r"(?:进度|进展|处理进度|办理进度|处理结果|办理结果|结果|处理情况|办理情况)"
        r"|我的(?:报事|反映|问题|工单|报修|投诉|事)"
        r"|我?(?:反映|报|报修|投诉|提)的(?:问题|事情|事)?(?:办|处理|修|弄|解决)?(?:得|的)?"
        r"(?:怎么样|咋样|如何)了?"
        r"|(?:办|处理|修|弄|解决)(?:得|的)?(?:怎么样|咋样|如何)了?"
        r"|(?:处理|解决|办|修)好?了(?:吗|没|没有|么)"
        r"|有?(?:结果|进展|回音|回复)了?(?:吗|没|没有|么)"
        r"|查|查询|查一查|查进度|进度查询"
    ),
    IntentKind.LETTER: (
        rf"{_WRITE}|留句话|(?:{_RECIPIENT}|主任|领导)?信箱"
        rf"|(?:给|跟|向){_RECIPIENT}(?:{_WRITE}|说句话)|写信给{_RECIPIENT}|找?书记"
    ),
    IntentKind.VOTE: (
        r"(?:参加|参与|去|进行|开始)?(?:投票|表决|投个票|投一票|投一下票)(?:表决)?"
        r"|(?:看|看看|查看|有什么|有啥|有没有)(?:一下)?(?:投票|表决)|民主表决"
    ),
    IntentKind.HUMAN: (
        r"(?:转|找|要|接|联系|呼叫|叫)?(?:人工|人工客服|人工服务|客服|真人|工作人员|社区工作人员|网格员)"
        r"|(?:找|联系|打给)(?:社区|居委会|网格员)|找人|找个人|找个真人"
        r"|打电话|电话|联系电话|社区电话|客服电话|联系方式"
        r"|(?:有人|有没有人)(?:吗|在吗)?|(?:跟|和|同)(?:人|真人|工作人员)(?:说|讲|聊)话?"
    ),
    IntentKind.BACK: (
        r"返回|退出|退回|回去|(?:返回|回|回到)?(?:主菜单|首页|主页)|返回上一级|上一级"
        r"|算了|不要了|不要|不用了|不用|取消|结束|拉倒|没事了|没事|再见|拜拜"
        r"|不(?:想)?(?:弄|办|写|报|投|说|玩|干)了"
    ),
    IntentKind.CONTINUE: (
        r"继续|接着|接着说|接着看|继续看|继续说|下一页|下页|翻页|往下|往下看|后面|后面呢"
        r"|还有呢|还有吗|还有|更多|看更多|下一步"
    ),
    IntentKind.CONFIRM: (
        r"(?:确认|确定|对的?|对头|是的?|是啊|好的?|好了|好嘞|好滴|行的?|可以|没问题|没错|同意"
        r"|提交|确认提交|就这样|这样就行|这样|要得|ok|okay|yes)+"
    ),
    IntentKind.REDO: (
        r"(?:重来|重新来|重新开始|重新|重填|重新填|重说|重新说|重新录|重录|再来一次|再来一遍"
        r"|再来|重选|重新选|改一下|修改|我要改|改|不对|不是|不是的|不是这个|不行"
        r"|错了|错|写错了|说错了|弄错了|搞错了|填错了|选错了|有错)+"
    ),
    IntentKind.HELP: (
        r"帮助|帮帮我|菜单|功能|功能菜单|有什么功能|有啥功能|你好|您好|你们好|大家好"
        r"|早上好|上午好|中午好|下午好|晚上好|在吗|在不在|在么|喂|哈喽|嗨|hi|hello|help"
        r"|怎么用|咋用|怎么弄|咋弄|怎么操作|怎么办|不会用|不会弄|看不懂|听不懂|不懂|教教我"
        r"|能干什么|能干啥|能做什么|可以做什么|干什么的|是干什么的|你是谁|说明|使用说明"
    ),
}
_MODE_NAME = r"(?:模式|版|版本)"
_ELDER_NAME = rf"(?:长辈|老年|老人|关怀|大字|简洁){_MODE_NAME}"
_PHRASES[IntentKind.ELDER_MODE] = (
    rf"(?:打开|开启|开|切换到?|换成|换到|改成|改为|用|使用|进入|设为|设置为?)?{_ELDER_NAME}"
)
_PHRASES[IntentKind.STANDARD_MODE] = (
    rf"(?:关闭|关掉|关|退出|取消|不用){_ELDER_NAME}"
    rf"|(?:打开|切换到?|换成|换到|改成|改为|用|使用|进入|恢复|回到)?(?:普通|标准|正常){_MODE_NAME}"
)
_PHRASE_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _PHRASES.items()]

# "绑定 123456", "我的绑定码是123456", or spoken "绑定一二三四五六": the code from the mini-program.
# Any count of digits is read, so that a mistyped code gets "绑定码不对" rather than a menu.
_SPOKEN_DIGITS = {char: str(value) for char, value in _DIGITS.items() if value <= 9}
_BIND = re.compile(
    r"(?:我的)?绑定(?:码|号码|号|账号|帐号|公众号|小程序)?(?:是|为)?"
    rf"(?P<code>[0-9{''.join(_SPOKEN_DIGITS)}]{{1,12}})?"
)


def _match_bind(candidate: str, normalized: str) -> Intent | None:
    match = _BIND.fullmatch(candidate)
    if match is None:
        return None
    code = "".join(_SPOKEN_DIGITS.get(char, char) for char in match.group("code") or "")
    return Intent(IntentKind.BIND, text=normalized, detail=code)

# A leading phrase that introduces a description. What follows must be content, not narration
# ("投诉了…", "反映过…", "反映的…") or a question about the channel ("投诉电话…").
_LEADS: dict[IntentKind, re.Pattern[str]] = {
    IntentKind.REPORT: re.compile(
        rf"{_REPORT_VERB}(?:一下|下)?(?:个|一个|些)?{_PROBLEM}?(?:就是|是|说)?"
    ),
    IntentKind.LETTER: re.compile(
        rf"(?:(?:给|跟|向){_RECIPIENT}(?:{_WRITE}|说)|写信给{_RECIPIENT}|{_WRITE})(?:说|是)?"
    ),
}
_NOT_CONTENT = re.compile(
    r"了|过|的|得|着|完|吗|呢|没|不了|不管|不行|不到|电话|热线|方式|流程|在哪|怎么|结果|进度|进展"
)
_MIN_DETAIL_CHARS = 2

# The matching key drops these at the edges, one at a time, and every step is tried in turn.
# Pieces that are words of their own ("好", "你好", "谢谢") are only dropped when something else
# remains, so "好" stays CONFIRM and "谢谢" stays TEXT.
_KEY_PREFIX = re.compile(
    r"(?:嗯+|啊+|呃+|额+|唔+|哦+|噢+|哎+|诶+|欸+|那个|这个|就是说|就是|然后"
    r"|请问|请|帮我|帮忙|麻烦你|麻烦您|麻烦|给我"
    r"|我想要|我想|我要|我需要|我得|我来|想要|需要|(?:想|要)(?!不)"
    r"|那就|那我|那|就"
    r"|(?:你好|您好|喂|哈喽|谢谢|好的|好吧|(?:好|行|对)(?!不)|可以|能不能|可不可以|怎么|如何|怎样)(?=.))"
)
_KEY_SUFFIX = re.compile(
    r"(?:(?<=.)(?:谢谢(?:你|您|啦)?|好吗|好不好|行吗|行不行|可以吗|可不可以)|(?<=..)吗"
    r"|吧|呀|啦|了|哦|噢|呢|嘛|啊|哈+|嗯|一下子|一下|下)$"
)


# --- parse -----------------------------------------------------------------------------------


def _matching_key(normalized: str) -> tuple[str, list[int]]:
    """Lower-case text without spaces or punctuation, and each key character's index in `normalized`.

    Punctuation between two digits is kept so that "1.5", "1,2" and "1 2" are not read as 15 or 12.
    """
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(normalized):
        if not char.isalnum():
            between_digits = (
                0 < index < len(normalized) - 1
                and normalized[index - 1] in "0123456789"
                and normalized[index + 1] in "0123456789"
            )
            if not between_digits:
                continue
        for lower in char.lower():
            chars.append(lower)
            positions.append(index)
    return "".join(chars), positions


_MAX_STRIPS = 20  # filler words at one edge; more than this is not speech


def _candidates(key: str) -> list[tuple[int, int]]:
    """The key with fillers dropped step by step, as (start, end) slices: the whole key first."""
    start, end = 0, len(key)
    spans = [(start, end)]
    for _ in range(_MAX_STRIPS):
        match = _KEY_PREFIX.match(key, start, end)
        if match is None or match.end() == start:
            break
        start = match.end()
        spans.append((start, end))
    for _ in range(_MAX_STRIPS):
        match = _KEY_SUFFIX.search(key[start:end])
        if match is None or match.start() == match.end():
            break
        end = start + match.start()
        spans.append((start, end))
    return spans


def _whole_match(candidate: str, normalized: str) -> Intent | None:
    number = _match_number(candidate)
    if number is not None:
        return Intent(IntentKind.NUMBER, number=number, text=normalized)
    bind = _match_bind(candidate, normalized)
    if bind is not None:
        return bind
    for kind, pattern in _PHRASE_PATTERNS:
        if pattern.fullmatch(candidate):
            return Intent(kind, text=normalized)
    return None


def _lead_match(key: str, positions: list[int], start: int, normalized: str) -> Intent | None:
    for kind, lead in _LEADS.items():
        match = lead.match(key, start)
        if match is None:
            continue
        rest = key[match.end() :]
        if len(rest) < _MIN_DETAIL_CHARS or _NOT_CONTENT.match(rest):
            continue
        detail = normalize(normalized[positions[match.end()] :])
        return Intent(kind, text=normalized, detail=detail)
    return None


def parse(text: str | None) -> Intent:
    """Read one message (typed text, a msgmenu item's text or voice Recognition) as an Intent."""
    normalized = normalize(text)
    if not normalized:
        return Intent(IntentKind.EMPTY)
    key, positions = _matching_key(normalized)
    spans = _candidates(key)
    for start, end in spans:
        intent = _whole_match(key[start:end], normalized)
        if intent is not None:
            return intent
    for start in dict.fromkeys(start for start, _ in spans):
        intent = _lead_match(key, positions, start, normalized)
        if intent is not None:
            return intent
    last_start, last_end = spans[-1]
    if last_start == last_end:
        return Intent(IntentKind.EMPTY, text=normalized)
    return Intent(IntentKind.TEXT, text=normalized)


# Between the numbers of one answer: spaces, commas, 、, "和", "还有" …
_CHOICE_SEPARATORS = re.compile(r"(?:[\s,，、;；/+＋]|和|与|跟|及|以及|还有|加上|再加)+")
_MAX_CHOICES_SAID = 20


def _number_in(piece: str) -> int | None:
    key, _positions = _matching_key(piece)
    for start, end in _candidates(key):
        number = _match_number(key[start:end])
        if number is not None:
            return number
    return None


def parse_choices(text: str | None) -> list[int] | None:
    """The numbers of a message that names several choices ("1 3", "选一和三", "第一个、第三个"),
    in the order said; a lone number gives a list of one. None unless every part of the message
    is a number expression (so "3号楼2单元" is None)."""
    normalized = normalize(text)
    if not normalized:
        return None
    pieces = [piece for piece in _CHOICE_SEPARATORS.split(normalized) if piece]
    if not pieces or len(pieces) > _MAX_CHOICES_SAID:
        return None
    numbers = [_number_in(piece) for piece in pieces]
    if any(number is None for number in numbers):
        return None
    return numbers


_MENU_KINDS = frozenset(IntentKind) - {IntentKind.NUMBER, IntentKind.EMPTY, IntentKind.TEXT}


def parse_menu_key(key: str | None) -> Intent:
    """Read a custom-menu CLICK EventKey: an IntentKind value ("report", "vote" …) or words.

    Naming CLICK keys after the kinds lets a tap and the typed phrase reach the flow as the same
    Intent; any other key is parsed like typed text.
    """
    if key and key.strip().lower() in _MENU_KINDS:
        return Intent(IntentKind(key.strip().lower()))
    return parse(key)
