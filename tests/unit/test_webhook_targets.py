"""Which addresses a webhook may be posted to (no server-side request forgery), and which
event types a subscription's patterns name."""

import ipaddress

import pytest

from api.config import from_environment
from api.webhooks.catalog import EVENT_TYPES, unknown_patterns, wanted
from api.webhooks.targets import TargetRefused, check_url, refusal


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.0.1", "private"), ("fc00::1", "private"),
    ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"), ("168.63.129.16", "metadata"),
    ("100.100.100.200", "metadata"), ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "not a public address"), ("240.0.0.1", "private"), ("198.18.0.1", "private"),
    # IPv4 addresses inside IPv6 ones reach the IPv4 network.
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "metadata"), ("64:ff9b::a00:1", "private"),
    ("2002:7f00:1::", "loopback"), ("2002:a00:1::", "private"),
])
def test_addresses_that_are_not_public_are_refused(address, kind):
    assert kind in refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_the_checked_target_is_the_address_to_connect_to_with_the_host_to_name():
    target = check_url("https://93.184.215.14:8443/hooks?source=proxisource", allow_private=False)
    assert (target.address, target.port, target.path, target.host_header) == (
        "93.184.215.14", 8443, "/hooks?source=proxisource", "93.184.215.14:8443")
    assert check_url("http://[::1]/", allow_private=True).host_header == "[::1]"
    with pytest.raises(TargetRefused, match="https"):
        check_url("http://93.184.215.14/", allow_private=False)


def test_patterns_name_a_type_a_group_or_everything():
    assert unknown_patterns(["*", "rfq.*", "quote.submitted", "webhook.disabled"]) == []
    assert unknown_patterns(["rfq", "rfq.", "quote.*.x", "quotes.*", "webhook.test"]) == [
        "rfq", "rfq.", "quote.*.x", "quotes.*", "webhook.test"]  # the test message is sent on request only
    assert [t for t in EVENT_TYPES if wanted(["rfq.*", "quote.withdrawn"], t)] == [
        "rfq.created", "rfq.updated", "rfq.published", "rfq.closed", "rfq.cancelled", "rfq.awarded",
        "quote.withdrawn"]


def test_the_retry_schedule_and_private_targets_come_from_the_environment():
    default = from_environment({})
    assert default["WEBHOOK_RETRY_SCHEDULE"] == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert default["WEBHOOKS_ALLOW_PRIVATE"] is False
    chosen = from_environment({"WEBHOOK_RETRY_SCHEDULE": "0.5, 2", "WEBHOOKS_ALLOW_PRIVATE": "true"})
    assert (chosen["WEBHOOK_RETRY_SCHEDULE"], chosen["WEBHOOKS_ALLOW_PRIVATE"]) == ([0.5, 2], True)
    for wrong in ("", "soon", "5,-1"):
        with pytest.raises(ValueError, match="WEBHOOK_RETRY_SCHEDULE"):
            from_environment({"WEBHOOK_RETRY_SCHEDULE": wrong})
