"""English formats the product writes differently from Django's defaults (Spanish keeps Django's own).

Times read "4:30 PM", as the meeting pages and invites always have, rather than Django's "4:30 p.m.".
"""

TIME_FORMAT = "g:i A"
