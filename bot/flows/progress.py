"""Flow 2 查进度: the resident's reports and their state, newest first, paged by number.

Pending: the service this flow needs is being built on another branch. Until it lands the flow
answers "即将开通" (bot/flows/__init__.py, coming_soon); the integrator replaces `flow` below.
"""

from bot.flows import coming_soon
from bot.intents import IntentKind

flow = coming_soon(key="progress", title="查进度", elder_title="查进度",
                   intent=IntentKind.PROGRESS)
