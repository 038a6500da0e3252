import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Delivery photos written under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
