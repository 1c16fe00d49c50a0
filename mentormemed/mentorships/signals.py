"""Signals other capabilities may listen to (e.g. evaluations at the end of a relationship, R18).

Sent after the transaction commits, with ``relationship=``.
"""

from __future__ import annotations

from django.dispatch import Signal

relationship_started = Signal()
relationship_ended = Signal()
