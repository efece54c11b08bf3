"""Files and folders are written whole or not at all, naming the user's path, honouring links."""

import os
import signal
import stat
import subprocess
import sys

import pytest
from conftest import ROOT

from micrograd.files import current_umask, folder_atomically, write_atomically


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


def test_errors_name_the_users_path_never_the_temporary(tmp_path, monkeypatch):
    def full_disk(source, target):
        raise OSError(28, "No space left on device", source)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="cannot write '.*a.txt': no space left") as caught:
        write_atomically(tmp_path / "a.txt", "x")
    assert ".part" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="'.*afile' is a file, not a folder"):
        write_atomically(tmp_path / "afile" / "sub" / "a.txt", "x")
    with pytest.raises(NotADirectoryError, match="'.*afile' is a file, not a folder"):
        with folder_atomically(tmp_path / "afile" / "sub"):
            pass
    assert (tmp_path / "afile").read_text() == "x"


def test_a_symbolic_link_is_honoured(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_read_only_file_or_a_folder_is_refused_and_kept(tmp_path):
    kept = tmp_path / "kept.svg"
    kept.write_text("old")
    kept.chmod(0o444)
    with pytest.raises(PermissionError, match="'.*kept.svg': the file is read-only"):
        write_atomically(kept, "new")
    assert kept.read_text() == "old"
    (tmp_path / "folder.svg").mkdir()
    with pytest.raises(IsADirectoryError, match="'.*folder.svg': there is a folder of that name"):
        write_atomically(tmp_path / "folder.svg", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.svg", "kept.svg"]


def test_a_folder_appears_whole(tmp_path):
    with folder_atomically(tmp_path / "out") as work:
        (work / "a.md").write_text("a")
        assert not (tmp_path / "out").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.md"]
    assert stat.S_IMODE((tmp_path / "out" / "a.md").stat().st_mode) == 0o666 & ~current_umask()


def test_an_existing_folder_is_never_left_half_new(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.svg").write_text("old graph")
    (out / "solution.md").mkdir()  # a folder where the new solution.md goes
    with pytest.raises(IsADirectoryError, match="solution.md': there is a folder of that name"):
        with folder_atomically(out) as work:
            (work / "graph.svg").write_text("new graph")
            (work / "solution.md").write_text("new")
    assert (out / "graph.svg").read_text() == "old graph"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder


def test_files_move_into_an_existing_folder_through_its_links(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("old")
    (out / "solution.md").symlink_to(elsewhere)
    with folder_atomically(out) as work:
        (work / "solution.md").write_text("new")
        (work / "graph.svg").write_text("graph")
    assert (out / "solution.md").is_symlink() and elsewhere.read_text() == "new"
    assert (out / "graph.svg").read_text() == "graph"


def test_an_error_inside_the_block_names_the_users_folder(tmp_path):
    with pytest.raises(IsADirectoryError) as caught:
        with folder_atomically(tmp_path / "out") as work:
            (work / "sub").mkdir()
            (work / "sub").write_text("x")
    assert ".part" not in str(caught.value) and "out/sub'" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


SLOW_WRITER = """
import sys, time
from micrograd.files import folder_atomically, write_atomically
with folder_atomically(sys.argv[1]) as work:
    (work / "a.md").write_text("half")
    print("writing", flush=True)
    time.sleep(60)
"""


def test_sigterm_removes_the_temporary_folder(tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(tmp_path / "out")], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "writing\n"
    assert [p.suffix for p in tmp_path.iterdir()] == [".part"]
    writer.send_signal(signal.SIGTERM)
    assert writer.wait(timeout=20) == 128 + signal.SIGTERM  # ends as a SIGTERM'd program does
    assert list(tmp_path.iterdir()) == []


def test_a_writers_error_inside_the_folder_names_the_users_folder(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError) as caught:
        with folder_atomically(tmp_path / "out") as work:
            raise ValueError(f"cannot draw {work / 'graph.svg'}")
    assert str(caught.value) == f"cannot draw {tmp_path / 'out' / 'graph.svg'}"
    with pytest.raises(IsADirectoryError) as folder:
        with folder_atomically(tmp_path / "out") as work:
            (work / "graph.svg").mkdir()
            write_atomically(work / "graph.svg", "x")  # one of ours, naming the file in the temporary
    assert str(folder.value).startswith(f"cannot write '{tmp_path / 'out' / 'graph.svg'}'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
