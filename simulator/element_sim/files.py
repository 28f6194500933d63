"""Writing files so that readers never see half of one."""

import os


def write_atomic(path, data, mode=0o600):
    """Write to a temporary file with `mode`, then rename it over `path`."""
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
