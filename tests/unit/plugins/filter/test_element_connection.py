# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options of an inventory host, built in one place."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.element.replication.plugins.filter.element_connection import (
    FilterModule, element_connection)

HOST = {"element_hostname": "10.0.0.1", "element_username": "admin", "element_password": "pw"}


def test_defaults():
    assert element_connection(HOST, "prod") == {"hostname": "10.0.0.1", "port": 443, "username": "admin",
                                                "password": "pw", "validate_certs": True, "ca_path": None,
                                                "display_name": "prod"}


@pytest.mark.parametrize("given, port, validate", [
    ({"element_port": "8443", "element_validate_certs": "no"}, 8443, False),
    ({"element_port": None, "element_validate_certs": "yes"}, 443, True),
    ({"element_port": 444, "element_validate_certs": False}, 444, False),
])
def test_inventory_strings_become_the_option_types(given, port, validate):
    options = element_connection(dict(HOST, **given), "prod")
    assert (options["port"], options["validate_certs"]) == (port, validate)


def test_ca_path_is_passed_on():
    assert element_connection(dict(HOST, element_ca_path="/etc/ca.pem"), "dr")["ca_path"] == "/etc/ca.pem"


def test_missing_variables_are_named_without_the_password():
    with pytest.raises(AnsibleFilterError) as info:
        element_connection({"element_password": "pw"}, "dr")
    assert "element_hostname, element_username" in str(info.value) and "'dr'" in str(info.value)
    assert "pw" not in str(info.value).replace("element_password", "")


@pytest.mark.parametrize("hostname", ["", "  ", None])
def test_an_empty_hostname_is_named(hostname):
    with pytest.raises(AnsibleFilterError, match="inventory host 'dr' has an empty element_hostname"):
        element_connection(dict(HOST, element_hostname=hostname), "dr")


def test_the_filter_is_registered():
    assert FilterModule().filters()["element_connection"] is element_connection
