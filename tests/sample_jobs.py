"""Job functions used by tests/test_jobs.py (importable by an rq worker)."""

from app.categories.models import Category
from app.extensions import db


def create_category(code: str) -> None:
    db.session.add(Category(code=code, name=f"任务{code}"))
    db.session.commit()


def fail_always(code: str) -> None:
    raise RuntimeError(f"job {code} failed")
