"""Spanish date styles: day first, 24-hour clock (``mentormemed/core/formats/__init__.py`` lists them).

Django's own Spanish module gives ``DATE_FORMAT`` ("3 de diciembre de 2026"), ``MONTH_DAY_FORMAT``
("3 de diciembre"), ``YEAR_MONTH_FORMAT`` and ``TIME_FORMAT`` ("16:30"). Abbreviated months ("b")
are Django's three letters without a full stop ("dic").
"""

MEDIUM_DATE_FORMAT = "j b Y"  # 3 dic 2026
LONG_DATE_FORMAT = r"j \d\e F \d\e Y"  # 3 de diciembre de 2026
SHORT_MONTH_DAY_FORMAT = "j b"  # 3 dic
SHORT_YEAR_MONTH_FORMAT = "b Y"  # dic 2026
SHORT_MONTH_FORMAT = "b"  # dic — the first month of "oct–dic 2026"
WEEKDAY_DATE_FORMAT = r"l, j \d\e F \d\e Y"  # jueves, 3 de diciembre de 2026
SHORT_WEEKDAY_DATE_FORMAT = "D j b Y"  # jue 3 dic 2026
SHORT_WEEKDAY_MONTH_DAY_FORMAT = "D j b"  # jue 3 dic

STAMP_FORMAT = r"j \d\e F \d\e Y, H:i"  # 3 de diciembre de 2026, 14:30
MEDIUM_DATETIME_FORMAT = "j b Y, H:i"  # 3 dic 2026, 14:30
MONTH_DAY_TIME_FORMAT = "j b, H:i"  # 3 dic, 14:30
WEEKDAY_DATETIME_FORMAT = r"l, j \d\e F \d\e Y, H:i"  # jueves, 3 de diciembre de 2026, 14:30
SHORT_WEEKDAY_DATETIME_FORMAT = "D j b, H:i"  # jue 3 dic, 14:30
