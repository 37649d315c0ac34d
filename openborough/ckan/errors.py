"""CKAN's error shape: ``{"help", "success": false, "error": {"__type", "message", …}}``
with the status codes CKAN's action API uses (ckanapi maps ``__type`` to its exceptions)."""

from __future__ import annotations


class ActionError(Exception):
    def __init__(self, status: int, type_: str, message: str = "", fields: dict | None = None):
        super().__init__(message or type_)
        self.status = status
        self.type = type_
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict:
        err: dict = {"__type": self.type}
        if self.message:
            err["message"] = self.message
        err.update(self.fields)
        return err


def not_found(what: str = "Not found") -> ActionError:
    return ActionError(404, "Not Found Error", what)


def validation(**fields: str) -> ActionError:
    """409 Validation Error, one message list per field, as CKAN answers."""
    return ActionError(409, "Validation Error", fields={k: [v] for k, v in fields.items()})


def not_authorized(message: str) -> ActionError:
    return ActionError(403, "Authorization Error", message)


def search_error(message: str) -> ActionError:
    return ActionError(409, "Search Query Error", message)


def bad_request(message: str) -> ActionError:
    return ActionError(400, "Bad Request", "Bad request - " + message)
