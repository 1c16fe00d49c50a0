"""What profiles tells the apps above it, which listen instead of being called (docs/architecture.md,
"Layers"): the search index in matching keeps its rows and its cached counts from these.

Sent inside the writer's transaction (except ``taxonomy_changed``, sent once the change is committed),
so what a listener writes commits or rolls back with the change itself.
"""

from __future__ import annotations

from django.dispatch import Signal

# A mentor's profile was refreshed: ``profile`` and its searchable ``keys`` (``profiles.facets``).
mentor_refreshed = Signal()
# A mentor may appear in or leave search: ``membership``'s status was copied onto their profile.
mentor_visibility_changed = Signal()
# A mentor's free text now reads differently (``profile``): what free text finds changed.
mentor_text_changed = Signal()
# Staff added, renamed, retired or restored a taxonomy value (after commit).
taxonomy_changed = Signal()
