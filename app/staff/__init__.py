"""The staff web view: server-rendered pages under /staff for community staff.

`bp` (app/staff/blueprint.py) is registered from WEB_MODULES. Each area of pages is a module
here that adds its routes to `bp`:

- sessions.py        sign in/out, the 大字 switch, one's own password
- home.py            the scope summary
- residents.py       residents in scope, confirming residency
- reports.py         随手拍: the queue, 我的任务, one report and its actions, bulk dispatch
- letters.py         the residents' mailbox: inbox, a letter's thread and actions, public Q&A
- dashboard.py       the three rates and companions, charts, mailbox reply times, exports
- notifications.py   one's own in-app notifications
- proposals.py       社区提案: review queue, list, detail and actions, hidden content
- polls.py           投票: drafts, opening, turnout, results, export, assisted voting
- admin_regions.py admin_categories.py admin_staff.py admin_mailboxes.py audit_log.py
                     administration (admins)

Shared pieces: auth.py (`login_required`, the session cookie), forms.py (form base classes and
`show_service_error`), nav.py (the menu), listing.py (paging), choices.py (select boxes),
charts.py (SVG charts), exports.py (CSV/Excel). Templates in templates/staff/, the one
stylesheet in static/.
"""

from app.staff import (  # noqa: F401  (each module adds its routes to bp)
    admin_categories,
    admin_mailboxes,
    admin_regions,
    admin_staff,
    audit_log,
    dashboard,
    home,
    letters,
    notifications,
    polls,
    proposals,
    reports,
    residents,
    sessions,
)
from app.staff.blueprint import bp

__all__ = ["bp"]
