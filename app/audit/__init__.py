"""The audit log of staff actions."""

from app.audit.service import actions_in_scope, entries_for_object, entries_in_scope_query, record

__all__ = ["actions_in_scope", "entries_for_object", "entries_in_scope_query", "record"]
