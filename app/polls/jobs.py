"""Poll sweeps: open scheduled polls, close due ones (publishing results), seal new ballots.

Each step is a guarded UPDATE or a rewrite inside one transaction, so a sweep that runs twice,
or two clocks at once, change each poll once.
"""

from app import periodic
from app.polls import service


@periodic.every(minutes=1)
def sweep_polls() -> None:
    """Open what is due, close what is due, then seal ballots cast since the last sweep."""
    service.open_due_polls()
    service.close_due_polls()
    service.seal_ballots()
