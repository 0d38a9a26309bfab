"""What the extension's blueprints share."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def request_context() -> dict[str, Any]:
    """The action context of the logged-in user (or the anonymous visitor) of this request."""
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


def error_text(error: tk.ValidationError) -> str:
    """A validation error's messages as one line, for a flash message."""
    return "; ".join(m for messages in error.error_dict.values() for m in messages)
