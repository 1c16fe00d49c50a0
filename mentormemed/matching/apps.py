from __future__ import annotations

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mentormemed.matching"
    label = "matching"

    def ready(self) -> None:
        from mentormemed.matching import selectors, services, signals
        from mentormemed.mentorships.finder import Finder, register_finder
        from mentormemed.profiles.visibility import register_searchable_mentors

        signals.connect()
        # The apps below ask matching through hooks they own (docs/architecture.md, "Layers").
        register_searchable_mentors(selectors.searchable_mentors)
        register_finder(
            Finder(
                finishing_training=selectors.finishing_training,
                needs_coverage=selectors.needs_coverage,
                suggestions_for_needs=selectors.suggestions_for_needs,
                recommend=selectors.recommend,
                log_search_event=services.log_search_event,
            )
        )
