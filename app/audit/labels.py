"""What each audit action is called on the staff audit page.

Every feature that records an action adds its Chinese name here; an action without one is
shown by its code.
"""

from __future__ import annotations

ACTION_LABELS = {
    "staff.login": "登录",
    "staff.login_failed": "登录失败",
    "staff.logout": "退出登录",
    "staff.password_change": "修改本人密码",
    "staff.create": "新建工作人员",
    "staff.deactivate": "停用工作人员",
    "staff.activate": "启用工作人员",
    "staff.password_reset": "重置密码",
    "staff.unlock": "解除锁定",
    "resident.verification": "住户身份认定",
    "region.create": "新增区域",
    "region.update": "修改区域",
    "region.import": "导入区域",
    "category.create": "新增类别",
    "category.update": "修改类别",
    "category.activate": "启用类别",
    "category.deactivate": "停用类别",
    "audit.export": "导出操作日志",
    # 社区提案 and moderation
    "proposal.approve": "提案审核通过",
    "proposal.reject": "驳回提案",
    "report.file": "代为登记报事",
    "report.accept": "受理报事",
    "report.reject": "不予受理",
    "report.merge": "合并重复报事",
    "report.dispatch": "派单",
    "report.contact": "联系居民",
    "report.start": "开始处理",
    "report.resolve": "办结反馈",
    "report.note": "报事备注",
    "report.release": "报事审核通过",
    "report.export": "导出报事清单",
    "report.export_figures": "导出报事统计",
    "letter.view": "阅读信件",
    "letter.read": "信件标为已读",
    "letter.reply": "答复信件",
    "letter.note": "信件内部备注",
    "letter.transfer": "转交信件",
    "letter.close": "办结信件",
    "letter.view_publication": "查看信件公开稿",
    "letter.publish": "公开信件",
    "letter.unpublish": "撤下公开信件",
    "mailbox.create": "新建信箱",
    "mailbox.update": "修改信箱",
    "poll.create": "新建投票",
    "poll.update": "修改投票草稿",
    "poll.schedule": "定时发布投票",
    "poll.unschedule": "取消定时发布",
    "poll.open": "开始投票",
    "poll.cancel": "取消投票",
    "poll.assisted_vote": "代居民投票",
    "poll.export_results": "导出投票结果",
    "proposal.answer": "答复提案",
    "proposal.progress": "发布提案进展",
    "proposal.complete": "提案办结",
    "proposal.escalate": "提案提交上级",
    "proposal.moderation": "复核被隐藏的提案",
    "comment.moderation": "复核被隐藏的评论",
    # 投票
    "callback.done": "处理回电请求",
    "open311_partner.create": "新建 Open311 合作方",
    "open311_partner.revoke": "停用 Open311 合作方",
    "letter.convert_to_report": "信件转为随手拍",
    "letter.convert_to_proposal": "信件转为提案草稿",
}

OBJECT_LABELS = {
    "staff": "工作人员",
    "resident": "居民",
    "region": "区域",
    "category": "类别",
    "audit": "操作日志",
    "proposal": "提案",
    "comment": "评论",
    "poll": "投票",
    "report": "报事",
    "letter": "信件",
    "mailbox": "信箱",
}


DETAIL_LABELS = {
    "before": "之前",
    "after": "之后",
    "note": "依据",
    "via": "方式",
    "locked": "因此锁定",
    "count": "数量",
    "changed": "改动",
    "username": "用户名",
    "role": "角色",
    "code": "编码",
    "level": "层级",
    "rows": "行数",
    "format": "格式",
    # Fields named in "changed".
    "name": "名称",
    "boundary": "边界",
    "contact_phone": "办公电话",
    "office_hours": "办公时间",
    "description": "说明",
    "response_sla_hours": "响应时限",
    "completion_sla_hours": "办结时限",
    "sort_order": "排序",
    "keywords": "关键词",
    "group_name": "分组",
    # Proposals, moderation and polls.
    "reason": "原因",
    "decision": "决定",
    "hidden_reason": "隐藏原因",
    "content_review_reason": "内容检测",
    "to_region_id": "提交到区域编号",
    "title": "标题",
    "resident_id": "居民编号",
    "fields": "改动",
    "region_id": "投票范围",
    "unit": "投票单位",
    "min_verification": "认证要求",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "results_visibility": "结果公开",
    "proposal_id": "关联提案",
    "questions": "题目",
    # Reports and letters.
    "number": "编号",
    "reporter_id": "居民编号",
    "duplicate_of": "合并到（报事编号）",
    "handler_id": "处理人编号",
    "photos": "照片数",
    "public": "居民可见",
    "edited": "修改了描述",
    "marked_read": "标为已读",
    "message_id": "消息编号",
    "from_mailbox_id": "原信箱编号",
    "to_mailbox_id": "新信箱编号",
    "from_region_id": "原社区编号",
    "with_message": "附办结说明",
    "publication_id": "公开稿编号",
    "names_masked": "另隐去姓名数",
    "first_time": "首次公开",
    "restricted": "限定答复人员",
    "reply_sla_hours": "答复时限（小时）",
    "member_ids": "答复人员编号",
    "active": "启用",
}


# Coded values shown in words: (detail key, value) → label.
DETAIL_VALUE_LABELS = {
    ("via", "web"): "网页",
    ("via", "api"): "接口",
    ("decision", "accepted"): "采纳",
    ("decision", "not_adopted"): "不予采纳",
    ("decision", "restore"): "恢复显示",
    ("decision", "keep_hidden"): "保持隐藏",
    ("hidden_reason", "flags"): "多人举报",
    ("hidden_reason", "content_check"): "内容待审核",
    ("content_review_reason", "wechat_review"): "需人工复核",
    ("content_review_reason", "check_unavailable"): "检测暂不可用",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


def describe_detail(detail: dict | None) -> str:
    """An entry's detail in one line: 依据：已核对房产证；之前：1 …"""

    def show(value, key: str = "") -> str:
        if isinstance(value, str):
            return DETAIL_VALUE_LABELS.get((key, value), value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, list) and key in ("changed", "fields"):
            return "、".join(DETAIL_LABELS.get(str(item), str(item)) for item in value)
        if isinstance(value, list):
            return "、".join(show(item) for item in value)
        if isinstance(value, dict):
            # {"field": [before, after]} as 名称 甲 → 乙
            return "，".join(
                f"{DETAIL_LABELS.get(k, k)} "
                + (f"{show(v[0])} → {show(v[1])}" if isinstance(v, list) and len(v) == 2
                   else show(v))
                for k, v in value.items())
        return str(value)

    # An empty value (no note given, no review marker) says nothing.
    return "；".join(f"{DETAIL_LABELS.get(key, key)}：{show(value, key)}"
                    for key, value in (detail or {}).items() if value not in (None, ""))
