"""Spotting personal data before it is published.

Councils must not publish individuals' names as suppliers or beneficiaries
(sole traders, foster carers, individual contractors): the Code's advice is to
show "Redacted personal data" instead. This module flags values that look
like a person's name in fields that may name one (classified by
probablepeople, a trained name/company parser, with an organisation-word
veto), and personal email addresses, mobile numbers and National Insurance
numbers anywhere. It suggests; staff decide.
"""

from __future__ import annotations

import re

import probablepeople

REDACTED = "Redacted personal data"

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "revd", "lady", "lord"}
#: words that mark an organisation, not a person
_ORG_WORDS = set(
    """
    ltd limited plc llp llc inc co company corporation corp group holdings services service solutions systems
    council borough county authority trust nhs foundation charity association society club centre center
    university college school academy church partnership partners cic cio federation institute institution
    agency bank insurance housing homes properties property estates estate developments construction consultancy
    consultants consulting associates enterprises international uk gb britain british london national
    department ministry office board commission fund network alliance union care hotel hotels restaurant
    cafe shop stores supplies supply products productions media design studio studios travel transport taxis
    taxi cars garage motors engineering electrical plumbing cleaning catering security training recruitment
    the of and for
    """.split()
)
_WORD = re.compile(r"^[A-Za-z][A-Za-z'\-]*\.?$")
EMAIL = re.compile(r"\b([A-Za-z0-9._%+\-]+)@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\b")
_ROLE_MAILBOXES = {
    "info",
    "enquiries",
    "enquiry",
    "contact",
    "contactus",
    "admin",
    "office",
    "hello",
    "foi",
    "hr",
    "finance",
    "accounts",
    "customerservices",
    "customer.services",
    "help",
    "support",
    "press",
    "media",
    "team",
    "mail",
    "post",
    "reception",
    "opendata",
    "data",
    "transparency",
    "complaints",
    "feedback",
    "noreply",
    "no-reply",
}
MOBILE = re.compile(r"(?<!\d)(?:\+44\s?7|07)\d{3}\s?\d{3}\s?\d{3}(?!\d)")
NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")


def _org_word(lowered: list[str]) -> bool:
    return any(w in _ORG_WORDS for w in lowered)


def looks_like_person(value: str) -> bool:
    """A name such as "Mr J Smith", "Jane Smith" or "SMITH, John" (and not "Smith & Sons Ltd")."""
    text = " ".join((value or "").split())
    if not text or "redacted" in text.lower():
        return False
    if any(ch.isdigit() for ch in text) or "&" in text or "@" in text:
        return False
    words = [w for w in re.split(r"[\s,]+", text) if w]
    lowered = [w.lower().strip(".") for w in words]
    if lowered and lowered[0] in _TITLES and len(words) >= 2:
        return True
    if not 2 <= len(words) <= 5 or _org_word(lowered):
        return False
    try:
        return probablepeople.tag(text)[1] in ("Person", "Household")
    except probablepeople.RepeatedLabelError:
        # the parser could not decide: two to four plain words with no organisation word
        return len(words) <= 4 and all(_WORD.match(w) for w in words)


def personal_email(match: re.Match) -> bool:
    return match.group(1).lower() not in _ROLE_MAILBOXES


def find(value: str, *, may_name_person: bool) -> list[tuple[str, str]]:
    """(kind, the suggested replacement) for each kind of personal data in ``value``."""
    out = []
    if may_name_person and looks_like_person(value):
        out.append(("name of an individual", REDACTED))
    if any(personal_email(m) for m in EMAIL.finditer(value or "")):
        out.append(("personal email address", redact(value)))
    if MOBILE.search(value or ""):
        out.append(("mobile phone number", redact(value)))
    if NINO.search(value or ""):
        out.append(("National Insurance number", redact(value)))
    return out


def redact(value: str) -> str:
    """The value with personal email addresses, mobile numbers and NI numbers replaced."""
    value = EMAIL.sub(lambda m: "[redacted]" if personal_email(m) else m.group(0), value or "")
    value = MOBILE.sub("[redacted]", value)
    return NINO.sub("[redacted]", value)
