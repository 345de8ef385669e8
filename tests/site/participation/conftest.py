from tests.consultations.conftest import beijing_legislator, make_draft  # noqa: F401
