"""Writing a file whole or not at all, shared by `nn` (saved models) and `viz` (drawings, pages)."""

from __future__ import annotations

import os
import pathlib
import tempfile


def write_atomically(path: str | os.PathLike, data: bytes | str) -> pathlib.Path:
    """Write `data` to `path` through a temporary file beside it and one rename.

    A reader never sees half a file, and a failure leaves the old file (or none).
    The new file gets the usual mode of a new file (0666 less the umask), not the
    private 0600 of a temporary one.
    """
    path = pathlib.Path(path)
    folder = path.parent if str(path.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask
