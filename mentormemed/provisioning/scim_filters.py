"""SCIM filter expressions (RFC 7644 §3.4.2.2) → Django ``Q``, through scim2-filter-parser's AST.

Only attributes we index are filterable; any other is refused as ``invalidFilter`` (400), so a
filter never silently matches everything.
"""

from __future__ import annotations

from django.db.models import Q
from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

# attribute path (lower-case) -> (field, case-insensitive?)
USER_ATTRIBUTES = {
    "id": ("scim_id", False),
    "username": ("user_name", True),
    "externalid": ("external_id", False),
    "active": ("active", False),
    "displayname": ("display_name", True),
    "name.givenname": ("given_name", True),
    "name.familyname": ("family_name", True),
    "emails": ("email", True),
    "emails.value": ("email", True),
    "meta.created": ("created_at", False),
    "meta.lastmodified": ("updated_at", False),
}
GROUP_ATTRIBUTES = {
    "id": ("scim_id", False),
    "displayname": ("display_name", True),
    "externalid": ("external_id", False),
    "members": ("members__scim_id", False),
    "members.value": ("members__scim_id", False),
    "meta.created": ("created_at", False),
    "meta.lastmodified": ("updated_at", False),
}
LOOKUPS = {
    "eq": "exact",
    "co": "contains",
    "sw": "startswith",
    "ew": "endswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}


class InvalidFilter(ValueError):
    pass


def _path(attr_path: ast.AttrPath, namespace: ast.AttrPath | None) -> str:
    parts = []
    if namespace is not None:
        parts.append(namespace.attr_name)
    parts.append(attr_path.attr_name)
    if attr_path.sub_attr is not None:
        parts.append(attr_path.sub_attr.value)
    name = ".".join(parts).lower()
    prefix = "urn:ietf:params:scim:schemas:core:2.0:user:"
    return name.removeprefix(prefix).removeprefix("urn:ietf:params:scim:schemas:core:2.0:group:")


def _value(comp: ast.CompValue | None, field: str):
    if comp is None:
        return None
    value = comp.value
    if field == "active" and isinstance(value, str):
        return value.lower() == "true"
    return value


class _ToQ:
    def __init__(self, attributes: dict[str, tuple[str, bool]]):
        self.attributes = attributes

    def convert(self, node, namespace=None) -> Q:
        if isinstance(node, ast.Filter):
            inner = self.convert(node.expr, node.namespace or namespace)
            return ~inner if node.negated else inner
        if isinstance(node, ast.LogExpr):
            left, right = self.convert(node.expr1, namespace), self.convert(node.expr2, namespace)
            return (left & right) if node.op.lower() == "and" else (left | right)
        if isinstance(node, ast.AttrExpr):
            return self._comparison(node, namespace)
        raise InvalidFilter(f"Unsupported filter element {type(node).__name__}.")

    def _comparison(self, node: ast.AttrExpr, namespace) -> Q:
        name = _path(node.attr_path, namespace)
        if name not in self.attributes:
            raise InvalidFilter(f"Filtering on “{name}” is not supported.")
        field, insensitive = self.attributes[name]
        op = node.value.lower()
        if op == "pr":
            return ~Q(**{f"{field}__isnull": True}) & ~Q(**{field: ""}) if field != "active" else Q()
        value = _value(node.comp_value, field)
        if op == "ne":
            return ~Q(**{f"{field}__{'iexact' if insensitive else 'exact'}": value})
        if op not in LOOKUPS:
            raise InvalidFilter(f"Unknown operator “{op}”.")
        lookup = LOOKUPS[op]
        if insensitive and lookup in ("exact", "contains", "startswith", "endswith"):
            lookup = "i" + lookup
        if field == "scim_id" and lookup != "exact":
            raise InvalidFilter("Only “eq” compares ids.")
        return Q(**{f"{field}__{lookup}": value})


def filter_to_q(text: str, attributes: dict[str, tuple[str, bool]]) -> Q:
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as exc:
        raise InvalidFilter(f"The filter could not be parsed: {exc}") from exc
    if tree is None:
        raise InvalidFilter("The filter is empty or malformed.")
    return _ToQ(attributes).convert(tree)
