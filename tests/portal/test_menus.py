"""Each role's menus against what each linked page answers: a menu shows exactly the areas
that role opens (a publisher with no toolkit role is not offered the toolkit, which refuses them)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

VIEWER_STAFF = {"Datasets", "Audit log", "App tokens and API keys"}
PUBLISHER_STAFF = VIEWER_STAFF | {"Publish a dataset", "Dataset requests", "FOI log", "Publish Transparency Code data"}
TOOLKIT = {"Digital strategy", "Standards"}

#: who: (portal role, toolkit role, superuser) -> (header links beyond the public ones, staff-area links)
ROLES = {
    "the public": ((None, None, False), {"Staff sign in"}, None),
    "viewer": (("viewer", None, False), {"Staff area"}, VIEWER_STAFF),
    "publisher": (("publisher", None, False), {"Staff area"}, PUBLISHER_STAFF),
    "admin": (("admin", None, False), {"Staff area"}, PUBLISHER_STAFF | {"Users", "Harvest another portal"}),
    "viewer + councillor": (("viewer", "councillor", False), TOOLKIT | {"Staff area"}, VIEWER_STAFF),
    "publisher + toolkit officer": (("publisher", "officer", False), TOOLKIT | {"Staff area"}, PUBLISHER_STAFF),
    "superuser": (("admin", None, True), TOOLKIT | {"Staff area"}, PUBLISHER_STAFF | {"Users", "Harvest another portal"}),
}
PUBLIC = {"Home", "Datasets", "Organisations", "Transparency", "Ask for information"}
#: every area that needs a role, whether or not a menu links it
AREAS = ["/staff/", "/staff/publish", "/staff/audit", "/staff/tokens", "/staff/users", "/requests/staff/",
         "/requests/foi/", "/strategy/", "/standards/"]  # fmt: skip


def _links(html: str, start: str) -> dict[str, str]:
    block = html[html.index(start) :]
    block = block[: block.index("</ul>")]
    return {
        re.sub(r"<[^>]+>", "", label).strip(): href
        for href, label in re.findall(r'href="([^"]+)"[^>]*>(.*?)</a>', block)
    }


def _person(django_user_model, name, portal_role, toolkit_role, superuser):
    if portal_role is None:
        return None
    from openborough.strategy.models import Service, ToolkitRole

    user = django_user_model.objects.create_user(name, password=f"pw-{name}-long-enough", role=portal_role,
                                                 is_superuser=superuser)  # fmt: skip
    if toolkit_role:
        service = (
            Service.objects.create(name="Parking", service_area="Environment") if toolkit_role == "officer" else None
        )
        ToolkitRole.objects.create(user=user, role=toolkit_role, service=service)
    return user


@pytest.mark.parametrize("who", list(ROLES))
def test_menus_show_what_the_role_opens(client, django_user_model, who):
    (portal_role, toolkit_role, superuser), header_expected, staff_expected = ROLES[who]
    user = _person(django_user_model, re.sub(r"\W", "", who)[:20], portal_role, toolkit_role, superuser)
    if user is not None:
        client.force_login(user)
    header = _links(client.get("/").content.decode(), 'id="navigation"')
    assert set(header) == PUBLIC | header_expected
    linked = dict(header)
    if staff_expected is not None:
        staff = _links(client.get(header["Staff area"]).content.decode(), '<nav aria-label="Staff area">')
        assert set(staff) == staff_expected
        linked.update({f"staff: {k}": v for k, v in staff.items()})
    # the requests page's staff links follow the same rule
    offered = "triage requests" in client.get("/requests/").content.decode()
    assert offered == ("Dataset requests" in (staff_expected or set()))
    # every link opens for this person ...
    for label, url in linked.items():
        if url.startswith("/") and label != "Staff sign in":
            assert client.get(url).status_code == 200, f"{who}: menu offers {label} ({url}), which refuses them"
    # ... and every area the menus leave out is one this person cannot open
    for url in set(AREAS) - set(linked.values()):
        code = client.get(url).status_code
        assert code in (302, 403), f"{who}: {url} answers {code} but no menu links it"
