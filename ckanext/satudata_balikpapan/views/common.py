"""What the extension's blueprints share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk


def request_context() -> dict[str, Any]:
    """The action context of the logged-in user (or the anonymous visitor) of this request."""
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


def error_text(error: tk.ValidationError) -> str:
    """A validation error's messages as one line, for a flash message."""
    return "; ".join(m for messages in error.error_dict.values() for m in messages)


def button_action(action: str, data: dict[str, Any], not_found: str, done: Callable[[Any], str]) -> None:
    """Run the action behind a POST button of a page for the logged-in user: 403 when not
    allowed, 404 (``not_found``) when the object is gone, a validation error flashed, and on
    success the message ``done(result)`` flashed. The caller then redirects back."""
    try:
        result = tk.get_action(action)(request_context(), data)
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Not authorized"))
    except tk.ObjectNotFound:
        return tk.abort(404, not_found)
    except tk.ValidationError as e:
        tk.h.flash_error(error_text(e))
    else:
        tk.h.flash_success(done(result))
    return None
