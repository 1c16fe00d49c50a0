"""R26: the audit log a compliance officer can read — UTC times, readable detail, a role on every
row that has one, a date filter and a CSV export whose cells cannot run as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from mentormemed.core.audit import audit
from mentormemed.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entry(*, at: dt.datetime, **kwargs) -> AuditEntry:
    entry = audit(**kwargs)
    AuditEntry.objects.filter(pk=entry.pk).update(at=at)
    return entry


def _staff_client(cast, zone="America/Los_Angeles"):
    cast.staff.time_zone = zone
    cast.staff.save(update_fields=["time_zone"])
    return cast.client_for(cast.staff)


def test_r26_times_are_shown_in_utc_under_a_utc_header(cast):
    _entry(at=dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC), actor=cast.staff, action="demo.check")
    html = _staff_client(cast).get(reverse("staff:audit")).content.decode()
    assert "When (UTC)" in html
    assert "2026-03-04 23:30:00" in html  # not 15:30 in the viewer's Los Angeles zone
    assert "2026-03-04 15:30" not in html


def test_r26_detail_reads_as_key_value_not_a_python_dict(cast):
    _entry(
        at=dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC),
        actor=cast.staff,
        action="subscription.paid",
        detail={"paid_on": "2026-03-01", "changes": {"fee": "12000.00", "band": "Medium"}},
    )
    html = _staff_client(cast).get(reverse("staff:audit")).content.decode()
    assert "paid on:</dt>" in html and "2026-03-01" in html
    assert "fee: 12000.00; band: Medium" in html
    assert "{&#x27;" not in html and "{'" not in html


def test_r26_role_is_never_blank_for_a_row_that_has_one(cast):
    when = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
    _entry(at=when, actor=cast.admin.user, action="member.view", institution=cast.inst_a)  # no role recorded
    _entry(at=when, actor=cast.staff, action="invoice.issue")
    _entry(at=when, actor=None, action="sweep.expire", institution=cast.inst_a)
    response = _staff_client(cast).get(reverse("staff:audit"), {"date_from": "2026-03-04", "date_to": "2026-03-04"})
    rows = {e.action: e.role_label for e in response.context["page"]}
    assert rows == {"member.view": "Institution admin", "invoice.issue": "Staff", "sweep.expire": "System"}


def test_r26_date_filter_takes_whole_utc_days(cast):
    for day, hour in ((1, 0), (2, 23), (3, 0)):
        _entry(at=dt.datetime(2026, 3, day, hour, 0, tzinfo=dt.UTC), actor=cast.staff, action=f"demo.day{day}")
    client = _staff_client(cast)
    response = client.get(reverse("staff:audit"), {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert [e.action for e in response.context["page"]] == ["demo.day2"]
    response = client.get(reverse("staff:audit"), {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert "after the “to” date" in response.content.decode()
    assert list(response.context["page"]) == []


def test_r26_csv_export_follows_the_filters_defuses_formulas_and_is_audited(cast):
    when = dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC)
    _entry(at=when, actor=cast.staff, action="member.note", detail={"note": '=HYPERLINK("http://x")'})
    _entry(at=when - dt.timedelta(days=5), actor=cast.staff, action="member.old")
    response = _staff_client(cast).get(reverse("staff:audit_export"), {"date_from": "2026-03-01"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["When (UTC)", "Who", "Role"]
    body = [r for r in rows[1:] if r[4].startswith("member.")]
    assert [r[4] for r in body] == ["member.note"]
    assert body[0][0] == "2026-03-02 09:05:00" and body[0][2] == "Staff"
    assert body[0][8] == 'note: =HYPERLINK("http://x")'  # the cell starts with "note", so it is text
    assert AuditEntry.objects.filter(action="audit.export", actor=cast.staff).exists()


def test_r26_a_formula_in_any_cell_is_defused(cast):
    _entry(at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), actor=cast.staff, action="member.x", detail={})
    AuditEntry.objects.filter(action="member.x").update(object_repr="=cmd|' /C calc'!A0")
    response = _staff_client(cast).get(reverse("staff:audit_export"), {"action": "member.x"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][7] == "'=cmd|' /C calc'!A0"


def test_r26_audit_log_query_count_is_bounded(cast, django_assert_max_num_queries):
    for i in range(60):
        audit(actor=cast.admin.user, action=f"member.view{i}", institution=cast.inst_a, detail={"i": i})
    client = _staff_client(cast)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:audit"))
    assert response.status_code == 200


def test_r26_audit_records_the_client_address_behind_the_proxy_not_the_proxys(cast, settings):
    """R26, issue 12: behind the expected reverse proxy REMOTE_ADDR is the proxy for every row;
    the entry holds the client's address from X-Forwarded-For (django-ipware, trusted proxy count
    from settings), and a value the client put in the header itself is not believed."""
    settings.TRUSTED_PROXY_COUNT = 0  # one nginx that appends $remote_addr
    response = cast.client_for(cast.admin).post(
        reverse("institutions:invite"),
        {"email": "behind.proxy@alpha.edu", "role": "mentee", "first_name": "Pat", "last_name": "Proxy"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7",  # spoofed by the client, then the real one
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="invitation.create", object_repr__contains="behind.proxy")
    assert entry.ip_address == "203.0.113.7"
    # Without a proxy header the socket address is the client.
    cast.client_for(cast.admin).post(
        reverse("institutions:invite"),
        {"email": "direct@alpha.edu", "role": "mentee", "first_name": "Dee", "last_name": "Rect"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert AuditEntry.objects.get(action="invitation.create", object_repr__contains="direct@").ip_address == (
        "192.0.2.44"
    )
