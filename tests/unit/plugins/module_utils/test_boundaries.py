# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The layers of module_utils (issue 13), read from the imports themselves (ast), and the
planners imported with the client blocked."""

from __future__ import annotations

import ast
import importlib
import os
import sys

import pytest

PREFIX = "ansible_collections.element.replication.plugins.module_utils."
HERE = os.path.dirname(os.path.abspath(__file__))
MODULE_UTILS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "plugins", "module_utils"))

# Feature files: a planner (and its runner) each. None of them imports another.
FEATURES = {"_cluster_pair", "_volume_pair", "_failover", "_split_site", "_rehearsal", "_schedule", "_topology"}
# The shared layers any feature may use (_reconcile: how two clusters' pairs relate, and the one
# record of a volume pair that every result reports).
SHARED = {"_element", "_errors", "_plan", "_executor", "_results", "_argspec", "_state", "_lag", "_durations", "_frequency",
          "_files", "_reconcile", "_audit", "_audit_report"}
# Above the features: what composes several of them in one run (the drift audit's one pass).
COMPOSITES = {"_audit_run"}
# Only the connection layer talks to the transport.
CLIENT_IMPORTERS = {"_connection"}
# Modules that must stay pure: no I/O, no client, no runner.
PURE = {"_plan", "_element", "_errors", "_lag", "_durations", "_frequency", "_topology", "_argspec", "_audit",
        "_audit_report"}


def module_names():
    return sorted(f[:-3] for f in os.listdir(MODULE_UTILS) if f.endswith(".py") and f != "__init__.py")


def _type_checking_only(tree):
    """The nodes under `if TYPE_CHECKING:`: imports for annotations, not run."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imports_in(source, filename="<source>"):
    """The module_utils modules a source imports (by short name), at any depth of the file; an
    import under `if TYPE_CHECKING:` is for annotations only and does not count."""
    found = set()
    tree = ast.parse(source, filename)
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level and module:  # relative: from ._x import y
                found.add(module.split(".")[0])
            elif node.level:  # from . import _x
                found.update(alias.name for alias in node.names)
            elif module.startswith(PREFIX):
                found.add(module[len(PREFIX):].split(".")[0])
            elif module == PREFIX.rstrip("."):
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name[len(PREFIX):].split(".")[0] for alias in node.names
                         if alias.name.startswith(PREFIX))
    return found


def imports_of(name):
    with open(os.path.join(MODULE_UTILS, name + ".py"), encoding="utf-8") as handle:
        return imports_in(handle.read(), name)


def test_the_layer_lists_name_every_file_and_only_existing_ones():
    # A new file must be placed in a layer; a renamed one must not leave the rule checking nothing.
    known = FEATURES | SHARED | COMPOSITES | CLIENT_IMPORTERS | {"_client"}
    assert set(module_names()) == known


def test_the_parser_sees_imports_in_every_form():
    # The rule is only as good as the import reader: every spelling of an import counts.
    source = ("from ansible_collections.element.replication.plugins.module_utils._client import ElementClient\n"
              "from ansible_collections.element.replication.plugins.module_utils import _state\n"
              "import ansible_collections.element.replication.plugins.module_utils._lag\n"
              "from ._volume_pair import x\n"
              "from . import _topology\n"
              "def late():\n"
              "    from ansible_collections.element.replication.plugins.module_utils._failover import y\n"
              "if TYPE_CHECKING:\n"
              "    from ansible_collections.element.replication.plugins.module_utils._executor import Runner\n")
    assert imports_in(source) == {"_client", "_state", "_lag", "_volume_pair", "_topology", "_failover"}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_no_feature_file_imports_another(name):
    assert not (imports_of(name) & (FEATURES - {name}))


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_layers_import_no_feature_file(name):
    assert not (imports_of(name) & FEATURES)


@pytest.mark.parametrize("name", sorted(FEATURES | SHARED))
def test_nothing_below_imports_a_composite(name):
    assert not (imports_of(name) & COMPOSITES)


@pytest.mark.parametrize("name", module_names())
def test_only_the_connection_layer_imports_the_client(name):
    if name in CLIENT_IMPORTERS or name == "_client":
        return
    assert "_client" not in imports_of(name), "%s imports _client" % name


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_modules_import_no_client_state_reader_or_executor(name):
    assert not (imports_of(name) & {"_client", "_connection", "_state", "_executor", "_results"})


def test_plan_does_not_import_the_client():
    assert "_client" not in imports_of("_plan")
    assert imports_of("_plan") <= {"_element", "_errors"}


class _BlockClient:
    """A meta path finder that refuses the transport (and requests, its library)."""
    BLOCKED = (PREFIX + "_client", PREFIX + "_connection", "requests")

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.BLOCKED or fullname.startswith("requests."):
            raise ImportError("blocked for the test: %s" % fullname)
        return None


@pytest.mark.parametrize("name", sorted(FEATURES | SHARED | COMPOSITES))
def test_every_planner_imports_with_the_client_blocked(name, monkeypatch):
    saved = {k: v for k, v in sys.modules.items() if k.startswith(PREFIX) or k == "requests"
             or k.startswith("requests.")}
    package = importlib.import_module(PREFIX.rstrip("."))
    attributes = dict(vars(package))  # a fresh import rebinds the package's submodule attributes
    for key in saved:
        monkeypatch.delitem(sys.modules, key)
    blocker = _BlockClient()
    sys.meta_path.insert(0, blocker)
    try:
        module = importlib.import_module(PREFIX + name)
        assert module is not None
        assert PREFIX + "_client" not in sys.modules
    finally:
        sys.meta_path.remove(blocker)
        for key in [k for k in sys.modules if k.startswith(PREFIX)]:
            del sys.modules[key]
        sys.modules.update(saved)
        for key in [k for k in vars(package) if k not in attributes]:
            delattr(package, key)
        for key, value in attributes.items():
            setattr(package, key, value)


def test_the_blocker_does_block():
    blocker = _BlockClient()
    saved = sys.modules.pop(PREFIX + "_client", None)
    sys.meta_path.insert(0, blocker)
    try:
        with pytest.raises(ImportError, match="blocked"):
            importlib.import_module(PREFIX + "_client")
    finally:
        sys.meta_path.remove(blocker)
        if saved is not None:
            sys.modules[PREFIX + "_client"] = saved
