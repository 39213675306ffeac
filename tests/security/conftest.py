"""Fixtures of the hostile-input tests."""

import tempfile

import pytest


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Every temporary file made with ``tempfile`` (openpyxl's named spools, Django's
    uploads past the memory limit) goes to a directory of this test alone, so that the test
    can assert nothing is left there (other processes on the machine write to /tmp too)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())
