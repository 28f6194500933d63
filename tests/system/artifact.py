# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection as users get it: built into its artifact and installed into a fresh collections
path, with nothing of the working tree on any path (test_guide_commands, test_awx_runner)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import ANSIBLE_BIN, REPO


def install_artifact(root: Path) -> Path:
    """Build the artifact from what git tracks and install it under root; returns the collections path."""
    tree = subprocess.run([str(REPO / "tools" / "collection-tree"), str(root / "tree")], check=True,
                          capture_output=True, text=True).stdout.strip()
    galaxy = str(ANSIBLE_BIN / "ansible-galaxy")
    env = dict(os.environ, ANSIBLE_HOME=str(root / "ansible-home"), ANSIBLE_NOCOLOR="1")
    subprocess.run([galaxy, "collection", "build", tree, "--output-path", str(root / "dist")], check=True,
                   capture_output=True, env=env, timeout=300)
    tarball = next((root / "dist").glob("element-replication-*.tar.gz"))
    subprocess.run([galaxy, "collection", "install", "--offline", str(tarball), "-p", str(root / "collections")],
                   check=True, capture_output=True, env=env, timeout=300)
    collection = root / "collections" / "ansible_collections" / "element" / "replication"
    assert (collection / "MANIFEST.json").is_file()
    assert not (collection / "simulator").exists() and not (collection / "tools").exists()
    return root / "collections"
