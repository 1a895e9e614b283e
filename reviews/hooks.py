"""Extension points that let the provision app offer its groups to support plans without the
reviews app importing provision (the arrows point down: reviews -> provision would be fine, but
provision owns its own choices and may not exist yet in every deployment).

provision_choices: callables (school) -> list of (uuid, label) for the provision groups a plan
outcome can link to. The provision app appends one in its AppConfig.ready()."""

from collections.abc import Callable

provision_choices: list[Callable] = []


def provision_options(school) -> list[tuple]:
    options: list[tuple] = []
    for source in provision_choices:
        options.extend(source(school))
    return options
