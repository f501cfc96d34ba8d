"""Files only the server's own user may read: the database (sessions, password hashes), stored
photos and logs are not for the machine's other local users.

`make run`'s processes create files owner-only (umask 077, set by `rundesk` before it starts its
children, and by `scripts/run-prod.sh`); `FILE_UPLOAD_PERMISSIONS` covers the stored photos
whatever the umask. What an older install left readable is tightened at start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.conf import settings

OWNER_ONLY_UMASK = 0o077
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def create_owner_only() -> None:
    """Every file and folder this process (and any child it starts) creates is owner-only."""
    os.umask(OWNER_ONLY_UMASK)


def tighten_existing() -> list[Path]:
    """Take group and other access off the SQLite database and everything under MEDIA_ROOT;
    returns what was changed."""
    paths: list[Path] = []
    database = settings.DATABASES["default"]
    if "sqlite" in database["ENGINE"] and str(database["NAME"]) != ":memory:":
        paths += [Path(f"{database['NAME']}{suffix}") for suffix in SQLITE_COMPANIONS]
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and not media.is_symlink():
        paths.append(media)
        for folder, _, files in os.walk(media):
            paths += [Path(folder, name) for name in files]
            paths.append(Path(folder))
    return [path for path in dict.fromkeys(paths) if _owner_only(path)]


def _owner_only(path: Path) -> bool:
    """chmod go-rwx, leaving symlinks (and what they point to) alone; True if it changed."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(mode) or not mode & 0o077:
        return False
    path.chmod(stat.S_IMODE(mode) & 0o700)
    return True
