"""The document registry: search indexes what the apps register, and knows nothing else about them."""

import pytest

from search.documents import DocumentType, SearchDocument, document_type_for, get, register, registered


def test_each_app_registers_its_documents():
    kinds = registered()

    assert {name: kind.model_label for name, kind in kinds.items()} == {
        "article": "consultations.Provision",
        "comment": "consultations.Comment",
        "petition": "petitions.Petition",
        "report": "reports.Report",
    }
    assert set(kinds["article"].changed_by) == set(kinds["comment"].changed_by) == {"draft"}


def test_a_model_is_looked_up_by_its_registered_type():
    from consultations.models import Comment, DraftPage

    assert document_type_for(Comment) is get("comment")
    assert document_type_for(DraftPage) is None


def test_an_unknown_type_is_named():
    with pytest.raises(LookupError, match="'memo'"):
        get("memo")


def test_a_model_is_indexed_as_one_type_only():
    def build(obj) -> SearchDocument | None:
        return None

    with pytest.raises(ValueError, match="consultations.Comment"):
        register(DocumentType("remark", "consultations.Comment", lambda: None, build))
    assert "remark" not in registered()
