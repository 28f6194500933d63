# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_report: write the audit report's two files in the controller's own process.
Two ansible.builtin.copy tasks cost four module runs (a stat and a copy each); this costs none."""

from __future__ import annotations

import os
import re

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.action import ActionBase
from ansible_collections.element.replication.plugins.module_utils._files import write_atomically

ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "json": {"type": "str", "required": True},
    "markdown": {"type": "str", "required": True},
    "mode": {"type": "str", "default": "0644"},
}
OCTAL_MODE = re.compile(r"^0?[0-7]{3}$")
DIRECTORY_MODE = 0o755


class ReportError(Exception):
    pass


def _current(path):
    """(content, permission bits) of a file, or (None, None) when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return None, None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # nothing runs on a target
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not OCTAL_MODE.match(args["mode"]):
            return dict(result, failed=True, msg="mode must be an octal string such as '0644', not %r" % args["mode"])
        try:
            result.update(self._write(os.path.abspath(args["path"]), args, int(args["mode"], 8)))
        except (OSError, ReportError) as error:
            result.update(failed=True, msg="cannot write the replication report %s: %s" % (args["path"], to_native(error)))
        return result

    def _write(self, base, args, mode):
        check_mode, diff_mode = self._task.check_mode, self._task.diff
        directory = os.path.dirname(base)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise ReportError("%s is not a directory" % directory)
        make_directory = not os.path.isdir(directory)
        files, diffs = [], []
        for path, text in ((base + ".json", args["json"]), (base + ".md", args["markdown"])):
            data = to_bytes(text)
            before, before_mode = _current(path)
            changed = before != data or before_mode != mode
            if changed and not check_mode:
                if make_directory:
                    os.makedirs(directory, mode=DIRECTORY_MODE, exist_ok=True)
                    make_directory = False
                write_atomically(path, data, mode)
            files.append({"path": path, "changed": changed})
            if diff_mode and before != data:
                diffs.append({"before_header": path, "after_header": path,
                              "before": to_text(before) if before is not None else "", "after": to_text(data)})
        result = {"changed": any(f["changed"] for f in files), "files": files}
        if diff_mode:
            result["diff"] = diffs
        return result
