"""Home, catalogue search, the Atom feed, organisations, sitemap and robots.txt."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from ...catalog.models import Organisation
from ...catalog.search import FACETS, ORDERS, facet_labels, search_datasets
from ...catalog.visibility import public_datasets
from ..access import is_staff
from ..analytics import most_viewed
from ..text import plain_summary

PER_PAGE = 20
FACET_TITLES = {
    "category": "Category",
    "tag": "Tag",
    "organisation": "Organisation",
    "licence": "Licence",
    "update_frequency": "Update frequency",
    "format": "Format",
}
ORDER_TITLES = {
    "relevance": "Best match",
    "updated": "Recently updated",
    "views": "Most viewed",
    "name": "Name (A to Z)",
}


def _public():
    return public_datasets()


@require_GET
def home(request):
    # the catalogue snapshot answers these without scanning the datasets table
    everything = search_datasets("", order="updated", limit=6)
    # most viewed among what the public can open (private ones are counted too, so look further down)
    popular_ids = [i for i in most_viewed(200) if i]
    popular = list(_public().filter(pk__in=popular_ids))
    popular.sort(key=lambda d: popular_ids.index(d.id))
    return render(
        request,
        "portal/home.html",
        {
            "categories": [{"category": c, "n": n} for c, n in everything.facets.get("category", [])[:12]],
            "recent": everything.datasets,
            "popular": popular[:6],
            "dataset_count": everything.total,
        },
    )


@require_GET
def catalogue(request):
    q = request.GET.get("q", "").strip()[:200]
    order = request.GET.get("order", "relevance")
    if order not in ORDERS:
        order = "relevance"
    filters = {f: request.GET.getlist(f)[:20] for f in FACETS if request.GET.getlist(f)}
    try:
        page_no = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_no = 1
    result = search_datasets(
        q,
        filters=filters,
        order=order,
        offset=(page_no - 1) * PER_PAGE,
        limit=PER_PAGE,
        include_private=is_staff(request.user),
    )
    labels = facet_labels()
    facets = []
    for f in FACETS:
        chosen = set(filters.get(f, []))
        values = list(result.facets.get(f, []))
        # a chosen value always stays visible so it can be unticked
        present = {v for v, _ in values}
        values += [(v, 0) for v in sorted(chosen - present)]
        if values:
            facets.append(
                {
                    "name": f,
                    "title": FACET_TITLES[f],
                    "values": [
                        {"value": v, "label": labels.get(f, {}).get(v, v), "count": n, "checked": v in chosen}
                        for v, n in values[:15]
                    ],
                    "open": bool(chosen),
                }
            )
    pages = max(1, -(-result.total // PER_PAGE))
    page_no = min(page_no, pages)
    base = request.GET.copy()
    base.pop("page", None)

    def page_link(n):
        qd = base.copy()
        qd["page"] = str(n)
        return "?" + qd.urlencode()

    chosen_filters = []
    for f, vals in filters.items():
        for v in vals:
            qd = base.copy()
            qd.setlist(f, [x for x in vals if x != v])
            chosen_filters.append(
                {"title": FACET_TITLES[f], "label": labels.get(f, {}).get(v, v), "remove": "?" + qd.urlencode()}
            )
    return render(
        request,
        "portal/catalogue.html",
        {
            "q": q,
            "order": order,
            "orders": [(o, ORDER_TITLES[o]) for o in ORDERS],
            "result": result,
            "results": [(d, plain_summary(d.description)) for d in result.datasets],
            "facets": facets,
            "chosen_filters": chosen_filters,
            "page": page_no,
            "pages": pages,
            "previous_link": page_link(page_no - 1) if page_no > 1 else "",
            "next_link": page_link(page_no + 1) if page_no < pages else "",
            "page_links": [(n, page_link(n)) for n in _page_window(page_no, pages)],
            "feed_link": reverse("portal:feed"),
        },
    )


def _page_window(page: int, pages: int) -> list[int]:
    return list(range(max(1, page - 2), min(pages, page + 2) + 1))


class _Feed(Atom1Feed):
    content_type = "application/atom+xml; charset=utf-8"


@require_GET
def feed(request):
    """Atom feed of the 50 most recently published datasets."""
    site = settings.OPENBOROUGH_SITE_NAME
    home_url = request.build_absolute_uri(reverse("portal:home"))
    f = _Feed(
        title=f"{site}: newly published datasets",
        link=home_url,
        description=f"Datasets newly published on {site}",
        feed_url=request.build_absolute_uri(reverse("portal:feed")),
        language="en-gb",
    )
    for ds in _public().select_related("organisation").order_by("-created_at")[:50]:
        f.add_item(
            title=ds.name,
            link=request.build_absolute_uri(reverse("portal:dataset", args=[ds.id])),
            description=plain_summary(ds.description, 1000),
            pubdate=ds.created_at,
            updateddate=ds.updated_at,
            unique_id=request.build_absolute_uri(reverse("portal:dataset", args=[ds.id])),
            author_name=ds.organisation.name if ds.organisation else site,
            categories=[ds.category] if ds.category else None,
        )
    return HttpResponse(f.writeString("utf-8"), content_type=f.content_type)


@require_GET
def organisations(request):
    orgs = (
        Organisation.objects.annotate(
            n=Count("dataset", filter=Q(dataset__in=public_datasets()))
        )
        .filter(n__gt=0)
        .order_by("name")
    )
    return render(request, "portal/organisations.html", {"organisations": orgs})


@require_GET
def organisation(request, slug):
    org = get_object_or_404(Organisation, slug=slug)
    datasets = _public().filter(organisation=org).order_by("name")
    paginator = Paginator(datasets, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/organisation.html",
        {"org": org, "page": page, "results": [(d, plain_summary(d.description)) for d in page.object_list]},
    )


@require_GET
def sitemap(request):
    urls = [request.build_absolute_uri(reverse(n)) for n in ("portal:home", "portal:catalogue", "portal:organisations")]
    for ds_id in _public().order_by("id").values_list("id", flat=True)[:45000]:
        urls.append(request.build_absolute_uri(reverse("portal:dataset", args=[ds_id])))
    for slug in Organisation.objects.order_by("slug").values_list("slug", flat=True)[:4000]:
        urls.append(request.build_absolute_uri(reverse("portal:organisation", args=[slug])))
    return render(request, "portal/sitemap.xml", {"urls": urls}, content_type="application/xml; charset=utf-8")


@require_GET
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
