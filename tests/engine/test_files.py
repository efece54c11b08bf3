"""Files are written whole or not at all, with a new file's usual mode."""

import os
import stat

import pytest

from micrograd.files import current_umask, write_atomically


def test_writes_whole_file_with_the_usual_mode(tmp_path):
    path = write_atomically(tmp_path / "a.txt", "héllo")
    assert path.read_text(encoding="utf-8") == "héllo"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~current_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = write_atomically(tmp_path / "a.bin", b"old")

    def full_disk(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomically(tmp_path / "nope" / "a.txt", "x")
