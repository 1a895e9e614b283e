from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def answer_items(answers):
    """A contribution's answers in the order the form asks them (reviews.forms.answer_items)."""
    from reviews.forms import answer_items as ordered

    return ordered(answers)
