"""What institutions tells the apps above it, which listen instead of being called (docs/architecture.md,
"Layers"). Sent by the services inside their transaction, so what a listener writes commits or rolls
back with the change itself.
"""

from __future__ import annotations

from django.dispatch import Signal

# ``membership``'s status was just saved (suspended, reinstated, ended): profiles copies it onto the
# mentor profile that search reads.
membership_status_changed = Signal()
# A subscription of ``institution`` was recorded or ended: its mentors may appear in search or leave it.
subscription_changed = Signal()
# R20: a mentee's ``membership`` ended as graduated in good standing: evaluations offers them to mentor.
# Sent in a savepoint of its own; an exception from a listener is logged and the change still stands.
mentee_graduated = Signal()
