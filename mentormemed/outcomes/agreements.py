"""The data use agreement an approved research export is released under (R25, R40).

One text, versioned: the requester accepts this version by typing their name, and the agreement row
keeps the version accepted. Changing a term means a new ``TERMS_VERSION``; agreements already accepted
keep theirs."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

TERMS_VERSION = "2026-12"
REMIND_DAYS_BEFORE = 14  # the requester is reminded this many days before the destruction date
LONGEST = dt.timedelta(days=5 * 366)  # the latest destruction date staff may set, from approval

TERMS = [
    _("Use the data only for the purpose stated in this agreement."),
    _(
        "Let only the recipients named in this agreement see the data, and pass it to nobody else. The records "
        "remain the institutions' education records, disclosed for this study only: they may not be "
        "redisclosed."
    ),
    _("Do not try to identify any person, and do not link the data with other data that could identify anyone."),
    _("Keep the data on encrypted storage your institution approves for research data."),
    _("Report any loss or unintended disclosure of the data to MentorMeMed within 72 hours."),
    _("Publish only aggregate results, with no group of fewer than 11 people."),
    _("Destroy the data and every copy by the destruction date, and confirm it here."),
]
