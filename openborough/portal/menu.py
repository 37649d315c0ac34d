"""The site's menus show a person only the areas their role opens.

Each app that owns an area says so in its ``AppConfig.menu_items(user)``: an
iterable of ``(menu, order, label, url)`` tuples for the links that ``user``
may open, decided by the same check its views make (the portal imports no
app for this; the app registry is asked). ``menu`` is ``"header"`` (the
service navigation on every page) or ``"staff"`` (the staff area's own
navigation). Which roles open which area is in docs/user-guide.md ("Who can
open what").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

MENUS = ("header", "staff")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    order: int
    active: bool = False  # the page shown is in the part of the site the link opens
    current: bool = False  # the page shown is the link's own


def menus(user, path: str = "") -> dict[str, list[MenuItem]]:
    out: dict[str, list[MenuItem]] = {m: [] for m in MENUS}
    if user is None or not getattr(user, "is_authenticated", False):
        return out
    for config in apps.get_app_configs():
        provide = getattr(config, "menu_items", None)
        if provide is None:
            continue
        for menu, order, label, url in provide(user):
            if menu not in out:
                raise ValueError(f"{config.name}: unknown menu {menu!r} (use one of {', '.join(MENUS)})")
            out[menu].append(MenuItem(label, url, order, path.startswith(url), path == url))
    for items in out.values():
        items.sort(key=lambda it: it.order)
    return out
