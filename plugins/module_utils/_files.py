# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Files the collection writes on the controller: split-site key files and audit reports."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """Replace `path` with `data` (bytes) in one rename, so that a reader never sees half a file;
    the file is never readable with a wider mode than `mode`, even before its content is written."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
