# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection fragment writes the peer's options once: PEER_OPTIONAL is PEER, not required."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.element.replication.plugins.doc_fragments import connection
from ansible_collections.element.replication.plugins.doc_fragments.connection import ModuleDocFragment


def test_the_optional_peer_is_the_peer_not_required():
    peer = yaml.safe_load(ModuleDocFragment.PEER)["options"]["peer"]
    optional = yaml.safe_load(ModuleDocFragment.PEER_OPTIONAL)["options"]["peer"]
    assert peer["required"] is True and optional["required"] is False
    assert dict(optional, required=True) == peer and len(optional["suboptions"]) == 9


def test_a_peer_fragment_that_does_not_say_required_once_is_refused():
    with pytest.raises(ValueError, match="required: true"):
        connection._peer_not_required(ModuleDocFragment.PEER.replace("    required: true\n", ""))
