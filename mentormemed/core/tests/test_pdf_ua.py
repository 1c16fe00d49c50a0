"""Every PDF the product hands out is tagged PDF/UA-1 with its language and title (WCAG 2.1 AA
covers documents; ADA Title II names PDFs). Each is fetched through its own view, as its role would."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from mentormemed.core.tests.test_permission_matrix import URL_ARGS

PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# url name -> the role that downloads it
PDFS = {
    "training:certificate": "mentor",
    "training:transcript_pdf": "mentor",
    "outcomes:reward_letter": "admin",
    "outcomes:invoice_pdf": "admin",
    "lifecycle:staff_certificate": "staff",
}


def _download(cast, name: str) -> bytes:
    kwargs = URL_ARGS[name][0](cast) if name in URL_ARGS else {}
    role = PDFS[name]
    client = cast.client_for(cast.staff if role == "staff" else cast.member(role))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, name
    assert response["Content-Type"] == "application/pdf", name
    return b"".join(response.streaming_content) if response.streaming else response.content


def _structure_types(node, found: set[str], depth: int = 0) -> set[str]:
    """The structure element types (/H1, /P, /Table …) under a node of the structure tree."""
    node = node.get_object()
    if depth > 40:
        return found
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            _structure_types(kids, found, depth + 1)
    elif isinstance(node, ArrayObject):
        for kid in node:
            _structure_types(kid, found, depth + 1)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("name", PDFS)
def test_pdf_is_tagged_pdf_ua_with_language_and_title(cast, name):
    reader = PdfReader(io.BytesIO(_download(cast, name)))
    root = reader.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true", "marked as tagged"
    assert "/StructTreeRoot" in root, "tagged: a structure tree"
    types = _structure_types(root["/StructTreeRoot"], set())
    assert "/Document" in types or "/Part" in types, types
    assert types & {"/H1", "/H2", "/P", "/Table"}, f"headings, paragraphs or tables are tagged: {types}"
    assert str(root["/Lang"]) in ("en", "es", "en-us", "es-es"), "document language"
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]).lower() == "true", "viewers show the title"
    title = reader.metadata.title
    assert title and len(title) > 5, "a title in the document information"
    xmp = reader.xmp_metadata
    assert xmp is not None, "XMP metadata"
    assert title in (xmp.dc_title or {}).values(), "the same title in XMP"
    parts = [
        d.get(f"{{{PDFUA_ID}}}part") or getattr(d.find(f"{{{PDFUA_ID}}}part"), "text", None)
        for d in ElementTree.fromstring(xmp.stream.get_data()).iter(f"{{{RDF}}}Description")
    ]
    assert "1" in parts, "the XMP identifies the document as PDF/UA-1"
