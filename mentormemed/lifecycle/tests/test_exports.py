"""R40: an institution's data export, built in the background, holds its own data and nothing of another's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from mentormemed.institutions.models import Membership
from mentormemed.lifecycle.catalogue import INSTITUTION_DATASETS, OTHER
from mentormemed.lifecycle.models import DataExport
from mentormemed.mentorships.models import Message
from mentormemed.mentorships.testing import mentor_profile, relationship
from mentormemed.profiles.models import IdentityOption, IdentityValue

pytestmark = pytest.mark.django_db


def _tables(content: bytes) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        tables = {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in names
            if name.endswith(".csv")
        }
        tables["_readme"] = archive.read("README.txt").decode()
        tables["_dictionary"] = json.loads(archive.read("data-dictionary.json"))
    return tables


@pytest.fixture
def world(cast):
    """A local mentorship at A, and A's mentee with B's (national) mentor, with a message each."""
    local = relationship(cast.mentee, mentor_profile(cast.mentor, scope="local"))
    national = relationship(cast.mentee, mentor_profile(cast.mentor_b, scope="national"))
    Message.objects.create(relationship=local, sender=cast.mentee.user, body="Secret between us")
    option = IdentityOption.objects.filter(dimension__key="race_ethnicity").first()
    IdentityValue.objects.create(membership=cast.mentee, option=option, shared=True)
    other = IdentityOption.objects.filter(dimension__key="race_ethnicity").exclude(pk=option.pk).first()
    IdentityValue.objects.create(membership=cast.mentor, option=other, shared=False)
    return local, national


def _export(cast, django_capture_on_commit_callbacks) -> tuple[DataExport, bytes]:
    client = cast.client_for(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lifecycle:institution_export"))
    assert response.status_code == 302
    export = DataExport.objects.get(institution=cast.inst_a)
    assert export.state == "ready" and export.progress == 100 and len(export.sha256) == 64
    download = client.get(reverse("lifecycle:institution_download", args=[export.pk]))
    assert download.status_code == 200
    return export, b"".join(download.streaming_content)


def test_r40_export_holds_every_dataset_with_its_dictionary(cast, world, django_capture_on_commit_callbacks):
    export, content = _export(cast, django_capture_on_commit_callbacks)
    tables = _tables(content)
    for dataset in INSTITUTION_DATASETS:
        assert dataset.key in tables, dataset.key
        entry = next(d for d in tables["_dictionary"] if d["file"] == f"{dataset.key}.csv")
        assert [c["name"] for c in entry["columns"]] == dataset.header
        assert f"{dataset.key}.csv" in tables["_readme"]
    emails = {row["email"] for row in tables["members"]}
    assert emails == {"admin@alpha.edu", "mentee@alpha.edu", "mentor@alpha.edu"}
    assert tables["invoices"] and tables["audit_log"]
    assert len(tables["relationships"]) == 2
    export.refresh_from_db()
    assert export.downloads == 1


def test_r40_export_holds_nothing_of_another_institution(cast, world, django_capture_on_commit_callbacks):
    _, content = _export(cast, django_capture_on_commit_callbacks)
    text = content.decode("latin-1")
    tables = _tables(content)
    everything = json.dumps({k: v for k, v in tables.items() if not k.startswith("_")})
    # Surnames are drawn at random: one that someone at this institution also bears proves nothing.
    ours = set(Membership.objects.filter(institution=cast.inst_a).values_list("user__last_name", flat=True))
    for outsider in (cast.mentor_b, cast.mentee_b, cast.admin_b):
        assert outsider.user.email not in everything
        if outsider.user.last_name not in ours:
            assert outsider.user.last_name not in everything
    assert cast.inst_b.name not in everything
    national = next(r for r in tables["relationships"] if r["local"] == "no")
    assert national["mentor_member_id"] == OTHER and national["mentee_member_id"] == str(cast.mentee.pk)
    # R30 and R8: no message text, no private identity value
    assert "Secret between us" not in text and "Secret between us" not in everything
    assert [r["member_id"] for r in tables["identity_shared"]] == [str(cast.mentee.pk)]


def test_export_of_another_institution_is_404(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for(cast.admin_b).post(reverse("lifecycle:institution_export"))
    theirs = DataExport.objects.get(institution=cast.inst_b)
    client = cast.client_for(cast.admin)
    assert client.get(reverse("lifecycle:institution_download", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("lifecycle:institution_export_status", args=[theirs.pk])).status_code == 404


def test_progress_is_shown_and_a_second_export_waits(cast):
    client = cast.client_for(cast.admin)
    client.post(reverse("lifecycle:institution_export"))  # no commit: the task has not run
    export = DataExport.objects.get(institution=cast.inst_a)
    DataExport.objects.filter(pk=export.pk).update(state="running", progress=40, step="Writing meetings")
    page = client.get(reverse("lifecycle:institution_export_status", args=[export.pk])).content.decode()
    assert 'aria-valuenow="40"' in page and "Writing meetings" in page and 'hx-trigger="every 2s"' in page
    response = client.post(reverse("lifecycle:institution_export"), follow=True)
    assert "already being built" in response.content.decode()
    assert DataExport.objects.filter(institution=cast.inst_a).count() == 1


def test_the_progress_step_is_stored_as_a_code_and_worded_for_whoever_reads_it(
    cast, world, django_capture_on_commit_callbacks
):
    """Issue 19: a Spanish admin's export is built in Spanish, yet its progress step is stored as a code
    ("writing:<dataset>") and is worded in the language of whoever polls it."""
    from django.utils import translation

    from mentormemed.lifecycle import archive

    steps: list[str] = []
    with translation.override("es"):
        archive.write(
            subject_arg=cast.inst_a,
            datasets=INSTITUTION_DATASETS[:2],
            heading="h",
            subject="s",
            progress=lambda percent, step: steps.append(step),
        )
    assert steps == ["writing:institution", "writing:members"], "codes, not the builder's language"
    cast.admin.user.language = "es"
    cast.admin.user.save(update_fields=["language"])
    export, _content = _export(cast, django_capture_on_commit_callbacks)
    assert export.step == "ready"
    DataExport.objects.filter(pk=export.pk).update(state="running", progress=40, step="writing:meetings")
    url = reverse("lifecycle:institution_export_status", args=[export.pk])
    spanish = cast.client_for(cast.admin).get(url).content.decode()
    assert "Escribiendo: Reuniones" in spanish and "writing:" not in spanish
    cast.admin.user.language = "en"  # the same stored step, read in English
    cast.admin.user.save(update_fields=["language"])
    english = cast.client_for(cast.admin).get(url).content.decode()
    assert "Writing: Meetings" in english and "Escribiendo" not in english
    DataExport.objects.filter(pk=export.pk).update(step="starting")
    assert "Starting …" in cast.client_for(cast.admin).get(url).content.decode()


def test_the_page_lists_exports_in_bounded_queries(cast, django_assert_max_num_queries):
    for _ in range(5):
        DataExport.objects.create(
            kind="institution", institution=cast.inst_a, requested_by=cast.admin.user, state="ready", progress=100
        )
    client = cast.client_for(cast.admin)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("lifecycle:institution"))
    assert response.status_code == 200 and response.content.decode().count("Download the archive") == 5


def test_the_archive_is_described_in_the_requesters_language(cast, world, django_capture_on_commit_callbacks):
    """A Spanish-speaking admin's export: README and data dictionary in Spanish; file and column
    names (what a program reads) the same in every language."""
    cast.admin.user.language = "es"
    cast.admin.user.save(update_fields=["language"])
    _export_es, content = _export(cast, django_capture_on_commit_callbacks)
    tables = _tables(content)
    readme = tables["_readme"]
    assert "Exportación de datos de Alpha School of Medicine" in readme
    assert "No se incluye, y por qué:" in readme and "Not included" not in readme
    members = next(d for d in tables["_dictionary"] if d["file"] == "members.csv")
    assert members["title"] == "Miembros"
    assert [c["name"] for c in members["columns"]][:3] == ["member_id", "first_name", "last_name"]
    assert {"name": "first_name", "meaning": "Nombre"} in members["columns"]
    assert "first_name" in tables["members"][0]  # the CSV header is unchanged


def test_an_english_speakers_archive_stays_in_english(cast, world, django_capture_on_commit_callbacks):
    _export_en, content = _export(cast, django_capture_on_commit_callbacks)
    tables = _tables(content)
    assert "Data export of Alpha School of Medicine" in tables["_readme"]
    assert "Not included, and why:" in tables["_readme"]
