"""The SCIM 2.0 endpoint of each institution (RFC 7643/7644), at /scim/v2/.

The bearer token names the institution; every lookup is scoped to it, so another institution's
user or group is a 404. Documents are validated and serialised with scim2-models; writes go
through ``provisioning.services``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PydanticError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    ListResponse,
    Patch,
    PatchOp,
    ResourceType,
    ResponseParameters,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import Error as ScimError

from mentormemed.core.access import public
from mentormemed.provisioning import services
from mentormemed.provisioning.models import ScimGroup, ScimUser
from mentormemed.provisioning.scim_filters import GROUP_ATTRIBUTES, USER_ATTRIBUTES, InvalidFilter, filter_to_q

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200
MAX_BODY = 1024 * 1024


class ScimProblem(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _json(data: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def _error(status: int, detail: str, scim_type: str | None = None, **headers) -> HttpResponse:
    return _json(ScimError(status=status, detail=detail, scim_type=scim_type).model_dump(), status, **headers)


def scim_endpoint(view: Callable) -> Callable:
    """Bearer-token authentication (401 otherwise), SCIM errors as SCIM documents."""

    @csrf_exempt
    @public
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        token = services.scim_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return _error(401, "A valid bearer token is required.", WWW_Authenticate='Bearer realm="SCIM"')
        request.scim_institution = token.institution
        try:
            return view(request, *args, **kwargs)
        except ScimProblem as problem:
            return _error(problem.status, problem.detail, problem.scim_type)
        except services.Conflict as exc:
            return _error(409, str(exc), "uniqueness")
        except ValidationError as exc:
            return _error(400, " ".join(exc.messages), "invalidValue")
        except PydanticError as exc:
            return _error(400, _pydantic_detail(exc), "invalidValue")

    return wrapped


def _pydantic_detail(exc: PydanticError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid value')}" if where else str(exc)


def _body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise ScimProblem(413, "The request body is larger than 1 MB.", "tooMany")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise ScimProblem(400, "The body is not JSON.", "invalidSyntax") from exc
    if not isinstance(data, dict):
        raise ScimProblem(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _location(request, name: str, scim_id) -> str:
    return request.build_absolute_uri(reverse(f"scim:{name}", args=[str(scim_id)]))


def _meta(request, resource_type: str, obj) -> dict:
    return {
        "resourceType": resource_type,
        "created": obj.created_at.isoformat(),
        "lastModified": obj.updated_at.isoformat(),
        "location": _location(request, resource_type.lower(), obj.scim_id),
    }


def _params(request, model, source: dict | None = None) -> ResponseParameters:
    source = request.GET if source is None else source
    data = {k: source[k] for k in ("attributes", "excludedAttributes") if source.get(k)}
    return ResponseParameters[model].model_validate(data)


# ------------------------------------------------------------------ users


def _user_model(request, scim_user: ScimUser) -> User:
    document = {k: v for k, v in scim_user.document.items() if k not in ("id", "meta", "password", "groups")}
    document.update({"id": str(scim_user.scim_id), "meta": _meta(request, "User", scim_user)})
    document["userName"] = scim_user.user_name
    if "active" in document or not scim_user.active:
        document["active"] = scim_user.active
    groups = [{"value": str(g.scim_id), "display": g.display_name} for g in scim_user.groups.all()]
    if groups:
        document["groups"] = groups
    document.setdefault("schemas", [User.__schema__])
    return User.model_validate(document)


def _user_document(resource: User) -> dict:
    data = resource.model_dump(scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    for key in ("id", "meta", "password", "groups"):
        data.pop(key, None)
    return data


def _user_fields(resource: User) -> services.UserFields:
    primary = next((e for e in resource.emails or [] if e.primary), None) or next(iter(resource.emails or []), None)
    name = resource.name
    return services.UserFields(
        user_name=(resource.user_name or "").strip(),
        external_id=resource.external_id or "",
        email=str(primary.value) if primary and primary.value else "",
        given_name=(name.given_name or "") if name else "",
        family_name=(name.family_name or "") if name else "",
        display_name=resource.display_name or "",
        active=resource.active is not False,
        roles=frozenset(str(r.value).lower() for r in resource.roles or [] if r.value),
    )


def _user_response(request, scim_user: ScimUser, status: int = 200) -> HttpResponse:
    scim_user = ScimUser.objects.prefetch_related("groups").get(pk=scim_user.pk)
    body = _user_model(request, scim_user).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_params(request, User)
    )
    return _json(body, status, Location=_location(request, "user", scim_user.scim_id))


def _scoped(model, request, scim_id: str):
    try:
        return model.objects.get(institution=request.scim_institution, scim_id=scim_id)
    except (model.DoesNotExist, ValidationError) as exc:
        raise ScimProblem(404, f"No {model.__name__.removeprefix('Scim')} with id {scim_id} here.") from exc


def _page(request, queryset, attributes, to_model, model, *, search: dict | None = None) -> HttpResponse:
    params = search if search is not None else request.GET
    text = params.get("filter")
    if text:
        try:
            queryset = queryset.filter(filter_to_q(text, attributes)).distinct()
            total = queryset.count()
        except InvalidFilter as exc:
            raise ScimProblem(400, str(exc), "invalidFilter") from exc
        except ValidationError:  # e.g. an id that is not a UUID matches nothing
            queryset, total = queryset.none(), 0
    else:
        total = queryset.count()
    try:
        start = max(int(params.get("startIndex") or 1), 1)
        count = min(
            max(int(params.get("count") if params.get("count") not in (None, "") else MAX_RESULTS), 0), MAX_RESULTS
        )
    except (TypeError, ValueError) as exc:
        raise ScimProblem(400, "startIndex and count must be integers.", "invalidValue") from exc
    items = list(queryset[start - 1 : start - 1 + count]) if count else []
    resources = [to_model(request, item) for item in items]
    page = ListResponse[model](
        total_results=total, start_index=start, items_per_page=len(resources), resources=resources or None
    )
    parameters = _params(request, model, search)
    return _json(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters))


@scim_endpoint
def search(request, resource: str = ""):
    """POST …/.search (RFC 7644 §3.4.3): the query in the body instead of the URL."""
    if request.method != "POST":
        return _error(405, "Use POST for .search.")
    body = _body(request)
    keys = ("filter", "startIndex", "count", "attributes", "excludedAttributes")
    params = {k: body.get(k) for k in keys if body.get(k) is not None}
    institution = request.scim_institution
    if not resource:
        raise ScimProblem(501, "Search one resource type at a time: POST /Users/.search or /Groups/.search.")
    if resource == "Groups":
        queryset = ScimGroup.objects.filter(institution=institution).prefetch_related("members")
        return _page(request, queryset, GROUP_ATTRIBUTES, _group_model, Group, search=params)
    if resource == "Users":
        queryset = ScimUser.objects.filter(institution=institution).prefetch_related("groups")
        return _page(request, queryset, USER_ATTRIBUTES, _user_model, User, search=params)
    raise ScimProblem(404, f"No resource type {resource}.")


@scim_endpoint
def not_found(request, rest: str):
    raise ScimProblem(404, f"There is no SCIM endpoint at /{rest}.")


@scim_endpoint
def users(request):
    institution = request.scim_institution
    if request.method == "GET":
        queryset = ScimUser.objects.filter(institution=institution).prefetch_related("groups")
        return _page(request, queryset, USER_ATTRIBUTES, _user_model, User)
    if request.method == "POST":
        resource = User.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        scim_user = services.scim_user_create(
            institution=institution, fields=_user_fields(resource), document=_user_document(resource)
        )
        return _user_response(request, scim_user, 201)
    return _error(405, "Use GET or POST on /Users.")


@scim_endpoint
def user(request, scim_id: str):
    scim_user = _scoped(ScimUser, request, scim_id)
    if request.method == "GET":
        return _user_response(request, scim_user)
    if request.method == "DELETE":
        services.scim_user_delete(scim_user=scim_user)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = User.model_validate(_body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    elif request.method == "PATCH":
        patch = PatchOp[User].model_validate(_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        resource = _user_model(request, ScimUser.objects.prefetch_related("groups").get(pk=scim_user.pk))
        patch.patch(resource)
    else:
        return _error(405, "Use GET, PUT, PATCH or DELETE on a user.")
    scim_user = services.scim_user_replace(
        scim_user=scim_user, fields=_user_fields(resource), document=_user_document(resource)
    )
    return _user_response(request, scim_user)


# ------------------------------------------------------------------ groups


def _group_model(request, group: ScimGroup) -> Group:
    document = {k: v for k, v in group.document.items() if k not in ("id", "meta", "members")}
    document.update(
        {"id": str(group.scim_id), "meta": _meta(request, "Group", group), "displayName": group.display_name}
    )
    sent = {str(m.get("value")): m for m in group.document.get("members") or [] if isinstance(m, dict)}
    members = [
        {
            "value": str(m.scim_id),
            "display": sent.get(str(m.scim_id), {}).get("display") or m.display_name or m.user_name,
            "type": "User",
            "$ref": _location(request, "user", m.scim_id),
        }
        for m in group.members.all()
    ]
    if members:
        document["members"] = members
    document.setdefault("schemas", [Group.__schema__])
    return Group.model_validate(document)


def _group_fields(resource: Group) -> services.GroupFields:
    return services.GroupFields(
        display_name=resource.display_name or "",
        external_id=resource.external_id or "",
        member_ids=tuple(str(m.value) for m in resource.members or [] if m.value),
    )


def _group_document(resource: Group) -> dict:
    data = resource.model_dump(scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    for key in ("id", "meta"):
        data.pop(key, None)
    data["members"] = [{k: v for k, v in m.items() if k in ("value", "display")} for m in data.get("members") or []]
    return data


def _group_response(request, group: ScimGroup, status: int = 200) -> HttpResponse:
    group = ScimGroup.objects.prefetch_related("members").get(pk=group.pk)
    body = _group_model(request, group).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_params(request, Group)
    )
    return _json(body, status, Location=_location(request, "group", group.scim_id))


def _validate_member_ids(fields: services.GroupFields) -> None:
    import uuid

    for value in fields.member_ids:
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise ScimProblem(400, f"Member “{value}” is not a user id of this institution.", "invalidValue") from exc


@scim_endpoint
def groups(request):
    institution = request.scim_institution
    if request.method == "GET":
        queryset = ScimGroup.objects.filter(institution=institution).prefetch_related("members")
        return _page(request, queryset, GROUP_ATTRIBUTES, _group_model, Group)
    if request.method == "POST":
        resource = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        fields = _group_fields(resource)
        _validate_member_ids(fields)
        group = services.scim_group_save(institution=institution, fields=fields, document=_group_document(resource))
        return _group_response(request, group, 201)
    return _error(405, "Use GET or POST on /Groups.")


@scim_endpoint
def group(request, scim_id: str):
    group = _scoped(ScimGroup, request, scim_id)
    if request.method == "GET":
        return _group_response(request, group)
    if request.method == "DELETE":
        services.scim_group_delete(group=group)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    elif request.method == "PATCH":
        patch = PatchOp[Group].model_validate(_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        resource = _group_model(request, ScimGroup.objects.prefetch_related("members").get(pk=group.pk))
        patch.patch(resource)
    else:
        return _error(405, "Use GET, PUT, PATCH or DELETE on a group.")
    fields = _group_fields(resource)
    _validate_member_ids(fields)
    with transaction.atomic():
        group = services.scim_group_save(
            institution=request.scim_institution, fields=fields, document=_group_document(resource), group=group
        )
    return _group_response(request, group)


# ------------------------------------------------------------------ discovery (RFC 7644 §4)


def _get_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET":
            return _error(405, "This endpoint is read-only: use GET.")
        return view(request, *args, **kwargs)

    return wrapped


def _service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token your institution admin creates under Provisioning in MentorMeMed.",
                primary=True,
            )
        ],
    )


@scim_endpoint
@_get_only
def service_provider_config(request):
    return _json(_service_provider_config().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _resource_types(request) -> list[ResourceType]:
    found = []
    for model in (User, Group):
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = {
            "resourceType": "ResourceType",
            "location": request.build_absolute_uri(reverse("scim:resource_type", args=[model.__name__])),
        }
        found.append(resource_type)
    return found


@scim_endpoint
@_get_only
def resource_types(request):
    items = _resource_types(request)
    page = ListResponse[ResourceType](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return _json(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@scim_endpoint
@_get_only
def resource_type(request, name: str):
    for item in _resource_types(request):
        if item.id == name:
            return _json(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"No resource type {name}.")


def _schemas(request):
    found = []
    for model in (User, Group):
        schema = model.to_schema()
        schema.meta = {
            "resourceType": "Schema",
            "location": request.build_absolute_uri(reverse("scim:schema", args=[schema.id])),
        }
        found.append(schema)
    return found


@scim_endpoint
@_get_only
def schemas(request):
    from scim2_models import Schema

    items = _schemas(request)
    page = ListResponse[Schema](total_results=len(items), start_index=1, items_per_page=len(items), resources=items)
    return _json(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@scim_endpoint
@_get_only
def schema(request, schema_id: str):
    for item in _schemas(request):
        if item.id == schema_id:
            return _json(item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise ScimProblem(404, f"No schema {schema_id}.")
