# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._connection import (
    connection_argument_spec, peer_given, peer_params)


def params(**peer):
    base = {"hostname": "dr", "port": 443, "username": None, "password": None}
    base.update(peer)
    return {"hostname": "prod", "username": "admin", "password": "prod-secret", "peer": base}


def test_peer_credentials_default_to_the_connection_s_own():
    peer = peer_params(params())
    assert (peer["hostname"], peer["username"], peer["password"]) == ("dr", "admin", "prod-secret")


def test_the_same_user_named_again_borrows_the_password():
    assert peer_params(params(username="admin"))["password"] == "prod-secret"


def test_a_peer_password_given_is_kept():
    assert peer_params(params(password="dr-secret"))["password"] == "dr-secret"
    assert peer_params(params(username="dradmin", password="dr-secret"))["username"] == "dradmin"


def test_another_user_never_borrows_the_password():
    with pytest.raises(ValueError, match="peer.password is required when peer.username"):
        peer_params(params(username="dradmin"))


@pytest.mark.parametrize("peer, given", [(None, False), ({}, False), ({"hostname": None}, False),
                                         ({"hostname": ""}, False), ({"hostname": "dr"}, True)])
def test_a_peer_without_a_hostname_is_no_peer(peer, given):
    assert peer_given({"hostname": "prod", "peer": peer}) is given


def test_the_peer_hostname_may_be_left_out_this_cluster_s_may_not():
    spec = connection_argument_spec(peer="optional").argument_spec
    assert spec["hostname"]["required"] is True and spec["peer"]["options"]["hostname"]["required"] is False
