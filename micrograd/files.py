"""Writing a file or a folder whole or not at all, shared by `nn` (saved models) and `viz` (drawings, pages).

Both write into a temporary file or folder beside the target (.NAME.xxxx.part) and
then rename it, so a reader never sees half of one. Around that:

- a SIGTERM while writing still ends the program (exit status 143), but the
  temporary file or folder is removed first;
- an error names the user's path, never the temporary one;
- a symbolic link is honoured (the file it points to is replaced, the link stays);
  a read-only file, or a folder where a file should go, is refused before anything
  is written.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from typing import TypeVar

Path = pathlib.Path
E = TypeVar("E", bound=BaseException)


def write_atomically(path: str | os.PathLike, data: bytes | str) -> pathlib.Path:
    """Write `data` to `path` through a temporary file beside it and one rename.

    A reader never sees half a file, and a failure leaves the old file (or none).
    The new file keeps the mode of the file it replaces; a new one gets the usual
    mode of a new file (0666 less the umask), not the private 0600 of a temporary one.
    """
    path = Path(path)
    target = _writable_file(path)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~current_umask()
    with _sigterm_cleans_up():
        temporary = None
        try:
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            temporary = Path(name)
            with os.fdopen(handle, "wb") as out:
                out.write(data.encode("utf-8") if isinstance(data, str) else data)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
            temporary = None
        except OSError as error:
            raise _users_error(error, path, temporary) from None
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
    return path


@contextlib.contextmanager
def folder_atomically(out: str | os.PathLike) -> Iterator[pathlib.Path]:
    """A temporary folder beside `out` to write into; when the block ends, its files move into `out`.

    A missing `out` appears whole, in one rename; into an existing one the files
    move only after every name has been checked (a folder or a read-only file where
    a new file goes is an error, and nothing of `out` has changed). On any error
    the temporary folder is removed.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "solution"
    >>> with folder_atomically(out) as work:
    ...     _ = (work / "solution.md").write_text("# Solution")
    >>> sorted(p.name for p in out.iterdir())
    ['solution.md']
    """
    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise FileNotFoundError(f"cannot write into {str(out)!r}: it is a symbolic link to "
                                f"{os.readlink(out)!r}, which does not exist")
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"cannot write into {str(out)!r}: it is a file; give a folder")
    parent = out.resolve().parent if out.is_symlink() else out.parent if str(out.parent) else Path(".")
    _make_folder(parent, out)
    with _sigterm_cleans_up():
        try:
            work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".part"))
        except OSError as error:
            raise _users_error(error, out, None) from None
        try:
            try:
                yield work
            except OSError as error:
                raise _users_error(error, out, work) from None
            except Exception as error:  # a writer's error that names a file inside the temporary folder
                raise _renamed(error, work, out) from error.__cause__
            _usual_modes(work)
            _move_in(work, out)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)


def _move_in(work: pathlib.Path, out: pathlib.Path) -> None:
    """Move the files of `work` into `out`: the folder itself if `out` is new, else file by file."""
    names = sorted(p.name for p in work.iterdir())
    try:
        if not out.exists():
            os.replace(work, out)  # one rename: the folder appears complete
            return
        for name in names:  # every check first: a refusal leaves `out` as it was
            _writable_file(out / name)
        for name in names:
            if (out / name).is_symlink():  # honoured: the file it points to gets the new text
                write_atomically(out / name, (work / name).read_bytes())
            else:
                os.replace(work / name, out / name)
    except OSError as error:
        raise _users_error(error, out, work) from None


def _writable_file(path: pathlib.Path) -> pathlib.Path:
    """The file a write to `path` replaces (a link's target), after checking that it may be replaced."""
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        _make_folder(folder, path, create=False)
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {str(path)!r}: there is a folder of that name; "
                                "remove or rename it, or write elsewhere")
    if target.exists() and not (os.access(target, os.W_OK) and target.stat().st_mode & 0o222):
        raise PermissionError(f"cannot write {str(path)!r}: the file is read-only; make it writable "
                              "(chmod u+w) or write elsewhere")
    return target


def _make_folder(folder: pathlib.Path, path: pathlib.Path, create: bool = True) -> None:
    """Make `folder` (and its parents) for `path`, or say which part of it is in the way."""
    if folder.is_dir():
        return
    for above in [folder, *folder.parents]:
        if above.exists() or above.is_symlink():
            if not above.is_dir():
                raise NotADirectoryError(f"cannot write {str(path)!r}: {str(above)!r} is a file, "
                                         "not a folder")
            break
    if not create:
        raise FileNotFoundError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _users_error(error, path, None) from None


def _users_error(error: OSError, path: pathlib.Path, temporary: pathlib.Path | None) -> OSError:
    """The same kind of error, naming `path` (the user's) and never the temporary file or folder."""
    if error.errno is None:  # one of ours, in the user's words unless a writer named the temporary
        return _renamed(error, temporary, path)
    named = path
    if temporary is not None and error.filename is not None and temporary.is_dir():
        with contextlib.suppress(ValueError):  # a file inside the temporary folder: its place in `path`
            named = path / Path(os.fsdecode(error.filename)).relative_to(temporary)
    why = error.strerror or str(error)
    return type(error)(f"cannot write {str(named)!r}: {why[:1].lower() + why[1:]}")


def _renamed(error: E, temporary: pathlib.Path | None, path: pathlib.Path) -> E:
    """`error`, or the same error with the temporary folder's name replaced by the user's `path`."""
    if temporary is None or str(temporary) not in str(error):
        return error
    try:
        return type(error)(str(error).replace(str(temporary), str(path)))
    except TypeError:  # an exception that is not made from one message: keep it as it is
        return error


@contextlib.contextmanager
def _sigterm_cleans_up() -> Iterator[None]:
    """While the block runs, SIGTERM raises SystemExit(143): `finally` removes the temporary, then the
    program ends as SIGTERM would end it. A handler the program set itself is left in place."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _usual_modes(folder: pathlib.Path) -> None:
    """Temporary files are private (0600); the finished folder gets the modes of any new file."""
    umask = current_umask()
    folder.chmod(0o777 & ~umask)
    for path in folder.iterdir():
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask
