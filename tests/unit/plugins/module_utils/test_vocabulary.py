# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One home per Element fact (issue 26), beside test_boundaries: the mode names are spelled in
_element.py only, and the read calls (List*/Get*) are made in _state.py only. Read from the code
itself (ast): string constants, not documentation."""

from __future__ import annotations

import ast
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGINS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "plugins"))
MODES = {"Async", "Sync", "SnapshotsOnly"}
READ_CALL = re.compile(r"^(List|Get)[A-Z][A-Za-z]+$")
DOCUMENTATION = {"DOCUMENTATION", "EXAMPLES", "RETURN"}
HOMES = {"modes": {"module_utils/_element.py"}, "reads": {"module_utils/_element.py", "module_utils/_state.py"}}


def python_files():
    found = []
    for directory in ("module_utils", "modules", "filter", "action"):
        for name in sorted(os.listdir(os.path.join(PLUGINS, directory))):
            if name.endswith(".py") and name != "__init__.py":
                found.append("%s/%s" % (directory, name))
    return found


def code_strings(source):
    """The string constants of a source, without docstrings and the DOCUMENTATION blocks."""
    tree = ast.parse(source)
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in DOCUMENTATION for t in node.targets):
            skipped.add(id(node.value))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped]


def strings_of(path):
    with open(os.path.join(PLUGINS, path), encoding="utf-8") as handle:
        return code_strings(handle.read())


def test_the_reader_sees_code_strings_and_skips_documentation():
    source = ('"""Async in a docstring."""\nDOCUMENTATION = "Sync"\nMODE = "SnapshotsOnly"\n'
              'def f():\n    """ListVolumes."""\n    return client.call("ListVolumes")\n')
    assert code_strings(source) == ["SnapshotsOnly", "ListVolumes"]


@pytest.mark.parametrize("path", python_files())
def test_mode_names_are_spelled_in_element_only(path):
    if path in HOMES["modes"]:
        return
    assert not MODES & set(strings_of(path)), "%s spells a mode name: use _element.ASYNC, SYNC, SNAPSHOTS_ONLY" % path


@pytest.mark.parametrize("path", python_files())
def test_read_calls_are_made_in_state_only(path):
    if path in HOMES["reads"]:
        return
    reads = sorted(s for s in strings_of(path) if READ_CALL.match(s))
    assert not reads, "%s calls %s: readers go in _state.py" % (path, ", ".join(reads))


def test_the_homes_hold_them():
    # The rule is only as good as its homes: they must hold what the others may not.
    assert MODES <= set(strings_of("module_utils/_element.py"))
    assert {"ListVolumes", "ListSchedules", "GetClusterInfo"} <= set(strings_of("module_utils/_state.py"))
