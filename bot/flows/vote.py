"""Flow 4 投票: open polls in the resident's scope, vote by number; through the polls service.

Pending: the service this flow needs is being built on another branch. Until it lands the flow
answers "即将开通" (bot/flows/__init__.py, coming_soon); the integrator replaces `flow` below.
"""

from bot.flows import coming_soon
from bot.intents import IntentKind

flow = coming_soon(key="vote", title="投票", elder_title="投票",
                   intent=IntentKind.VOTE)
