from django import template

from ..links import dataset_path

register = template.Library()


@register.filter
def dataset_url(dataset_id: str) -> str:
    """The page (or SODA resource) showing a dataset."""
    return dataset_path(dataset_id) if dataset_id else ""
