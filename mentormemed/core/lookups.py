"""Integer ``__in`` lookups ignore values no integer column can hold.

Django already treats ``pk=10**30`` as "matches nothing" (``IntegerFieldOverflow``), but
``pk__in=[10**30]`` reaches the database driver, which raises (SQLite: OverflowError,
PostgreSQL: out-of-range error). Form fields that choose several objects use ``__in``, so
a hand-crafted request could turn bad input into a server error. Such values can never
match a row, so they are dropped; an empty list then matches nothing, as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


class IntegerFieldIn(In):
    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            kept = [
                v
                for v in self.rhs
                if not isinstance(v, int) or ((low is None or v >= low) and (high is None or v <= high))
            ]
            if not kept and self.rhs:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
