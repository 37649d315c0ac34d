"""One vote per browser without keeping anything about the voter: the browser
holds the list of requests it voted for in a signed cookie; the server keeps
only the count."""

from __future__ import annotations

from . import workflow

COOKIE = "ob_votes"
_SALT = "openborough.requests.votes"
MAX_AGE = 5 * 365 * 24 * 3600
#: the cookie keeps at most this many votes (the oldest are forgotten)
MAX_VOTES = 300


def voted(request) -> list[int]:
    raw = request.get_signed_cookie(COOKIE, default="", salt=_SALT)
    out = []
    for part in raw.split(","):
        if part.isdigit():
            out.append(int(part))
    return out


def toggle(request, response, req, *, want: bool) -> bool:
    """Vote (``want``) or take the vote back; returns whether the count changed."""
    ids = voted(request)
    have = req.pk in ids
    if want == have:
        return False
    if want:
        workflow.vote(req)
        ids.append(req.pk)
    else:
        workflow.unvote(req)
        ids.remove(req.pk)
    response.set_signed_cookie(
        COOKIE,
        ",".join(str(i) for i in ids[-MAX_VOTES:]),
        salt=_SALT,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return True
