"""Flow 1 随手拍: photo → description → place → category → read-back → filed through the reports service (source bot).

Pending: the service this flow needs is being built on another branch. Until it lands the flow
answers "即将开通" (bot/flows/__init__.py, coming_soon); the integrator replaces `flow` below.
"""

from bot.flows import coming_soon
from bot.intents import IntentKind

flow = coming_soon(key="report", title="随手拍", elder_title="报问题",
                   intent=IntentKind.REPORT)
