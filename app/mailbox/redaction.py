"""Masking personal details in the published copy of a letter (public Q&A).

A safety net under the staff member's own editing, applied to every text before it is
published: phone numbers (mobile, with +86, spaces or dashes; landlines with an area code), ID
card numbers, other long digit runs (bank cards), e-mail addresses and contact handles after
words like 微信/QQ, house numbers and addresses (3栋2单元501, 3-2-501, 501室, 和平路12号附3号),
the names it is given (the author's nickname, names staff list), and names the text gives away
(我叫王秀英, 张先生, 李阿姨). It errs towards masking too much: what it misses, staff add to the
names to mask; what it masks, nobody needed in public.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PHONE = "【电话】"
ID_NUMBER = "【证件号】"
NUMBER = "【号码】"
CONTACT = "【联系方式】"
EMAIL = "【邮箱】"
ADDRESS = "【门牌】"
NAME = "【姓名】"

# Full-width digits are read (and published) as ordinary ones.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")

# The commonest surnames (about 85% of people), for "张阿姨" and "我叫王秀英".
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包"
    "宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳"
    "时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇"
    "栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_HONORIFICS = ("先生|女士|小姐|阿姨|叔叔|伯伯|大爷|大妈|大娘|大姐|大哥|奶奶|爷爷|婆婆|嬢嬢|孃孃|"
               "老师|师傅|老人|老太|老汉")
_NUMERAL = "[0-9一二三四五六七八九十零〇两]"
_SEP = r"[\s\-－—–]"

# (pattern, replacement), applied in this order; earlier rules take the longer matches.
_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"), EMAIL),
    # ID cards: 18 characters (the last may be X), or the old 15 digits.
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])"), ID_NUMBER),
    (re.compile(r"(?<!\d)\d{15}(?!\d)"), ID_NUMBER),
    # Mainland mobiles, however they are spaced: 13812345678, 138 1234 5678, +86-138-1234-5678.
    (re.compile(rf"(?<!\d)(?:\+?86{_SEP}?)?1{_SEP}?[3-9](?:{_SEP}?\d){{9}}(?!\d)"), PHONE),
    # Any other long run of digits (bank cards, account numbers), before the landlines that
    # would otherwise take a piece of it.
    (re.compile(rf"(?<!\d)\d(?:{_SEP}?\d){{11,}}(?!\d)"), NUMBER),
    # Landlines with an area code: 028-86661234, (028)8666 1234.
    (re.compile(rf"(?<!\d)(?:[(（]0\d{{2,3}}[)）]|0\d{{2,3}}){_SEP}?\d{{3,4}}{_SEP}?\d{{4}}(?!\d)"),
     PHONE),
    # What follows 电话/微信/QQ and the like is a way to reach someone.
    (re.compile(r"(?P<key>电话|手机号?|座机|联系方式|微信号?|vx|VX|QQ号?|qq号?)"
                r"(?P<sep>\s*(?:是|为|：|:)?\s*)(?P<value>[A-Za-z0-9_\-.+]{5,})"),
     rf"\g<key>\g<sep>{CONTACT}"),
    # House numbers: 3栋2单元501室, 3号楼2单元501, 三单元502, 3-2-501, 501室.
    (re.compile(rf"{_NUMERAL}+\s*(?:号楼|栋|幢|座)(?:\s*{_NUMERAL}+\s*单元)?"
                rf"(?:\s*\d+\s*(?:室|号|户)?)?"), ADDRESS),
    (re.compile(rf"{_NUMERAL}+\s*单元(?:\s*\d+\s*(?:室|号|户)?)?"), ADDRESS),
    (re.compile(r"(?<![\d\-－—–])\d{1,3}\s*[\-－—–]\s*\d{1,2}\s*[\-－—–]\s*\d{2,4}(?![\d\-－—–])"),
     ADDRESS),
    (re.compile(r"(?<!\d)\d{3,4}\s*(?:室|房间|房)"), ADDRESS),
    # Street addresses keep the street and lose the number: 和平路12号附3号 → 和平路【门牌】.
    (re.compile(r"(?P<street>路|街|巷|道|里|弄|胡同)\s*\d+\s*号(?:\s*附\s*\d+\s*号)?(?:院)?"),
     rf"\g<street>{ADDRESS}"),
    (re.compile(r"(?<!\d)\d+\s*号院"), ADDRESS),
    # Names the text gives away.
    (re.compile(rf"(?P<key>我叫|我的名字是|我的名字叫|本人姓名|姓名|联系人|署名|落款)"
                rf"(?P<sep>\s*(?:是|为|：|:)?\s*)[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}"),
     rf"\g<key>\g<sep>{NAME}"),
    (re.compile(rf"[{_SURNAMES}](?:{_HONORIFICS})"), NAME),
]


def mask_private(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with personal details replaced by 【电话】, 【门牌】, 【姓名】 and the like.

    `names` are masked wherever they occur (longest first); names shorter than two characters
    are skipped, since masking one character would wreck the text.
    """
    masked = text.translate(_FULL_WIDTH)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        masked = re.sub(re.escape(name), NAME, masked, flags=re.IGNORECASE)
    for pattern, replacement in _RULES:
        masked = pattern.sub(replacement, masked)
    return masked
