"""Development login: `dev:<name>` codes map to stable fake openids (never in production)."""

import hashlib


def dev_openid(name: str) -> str:
    """The fake mini-program openid for a development login name."""
    return "dev_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
