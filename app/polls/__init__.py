"""Community polls (投票): one verified resident or household, one secret ballot.

What other packages (the bot) may call; see app/polls/service.py for the rules.
"""

from app.polls.service import (
    PollView,
    VoterStatus,
    cast_ballot,
    get_poll_for_resident,
    open_polls_for_resident,
    poll_view_for_resident,
    question_rules,
    results_of,
    validated_choices,
)

__all__ = [
    "PollView",
    "VoterStatus",
    "cast_ballot",
    "get_poll_for_resident",
    "open_polls_for_resident",
    "poll_view_for_resident",
    "question_rules",
    "results_of",
    "validated_choices",
]
