"""Flow 3 写信: choose a mailbox, say or type the letter, confirm; through the mailbox service.

Pending: the service this flow needs is being built on another branch. Until it lands the flow
answers "即将开通" (bot/flows/__init__.py, coming_soon); the integrator replaces `flow` below.
"""

from bot.flows import coming_soon
from bot.intents import IntentKind

flow = coming_soon(key="letter", title="写信", elder_title="写信",
                   intent=IntentKind.LETTER)
