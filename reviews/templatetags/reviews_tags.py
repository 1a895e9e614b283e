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


@register.filter
def next_review_kind(pupil, cycles):
    """{{ pupil|next_review_kind:cycles }}: "support plan review" or "EHC plan annual review"."""
    from reviews.next_review import next_review_kind as kind

    return kind(pupil, cycles)
