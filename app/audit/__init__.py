"""The audit log of staff actions."""

from app.audit.service import record

__all__ = ["record"]
