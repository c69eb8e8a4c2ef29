"""The client's address (portal.clientip): X-Forwarded-For is believed only from TRUSTED_PROXIES.

- without trusted proxies (the default), the socket's peer is the client, whatever it writes;
- behind trusted proxies, the first address from the right that is not one of them;
- django-axes locks out by that address, in the production settings too.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from axes.models import AccessAttempt

from portal.clientip import client_ip
from portal.settings.base import trusted_proxies
from tests.test_production import production_env, run_python


def address(remote_addr="203.0.113.9", forwarded=None) -> str:
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


class ClientIpTests(SimpleTestCase):
    def test_no_proxy_trusted_by_default(self):
        self.assertEqual(address("203.0.113.9", "192.0.2.1"), "203.0.113.9")
        self.assertEqual(address("203.0.113.9"), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_an_untrusted_peer_is_the_client(self):
        self.assertEqual(address("203.0.113.9", "10.0.0.2, 192.0.2.1"), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_behind_a_trusted_proxy_the_address_it_appended(self):
        self.assertEqual(address("10.0.0.2", "198.51.100.7"), "198.51.100.7")
        # Whatever the client wrote before it is never read.
        self.assertEqual(address("10.0.0.2", "192.0.2.1, 10.0.0.2, 198.51.100.7"), "198.51.100.7")
        self.assertEqual(address("10.0.0.2", "192.0.2.1,198.51.100.7"), "198.51.100.7")
        # No header: the proxy itself (a health check, a script on the proxy host).
        self.assertEqual(address("10.0.0.2"), "10.0.0.2")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "192.0.2.64/26"])
    def test_a_chain_of_two_proxies(self):
        # CDN (192.0.2.70) → nginx (10.0.0.2) → gunicorn.
        self.assertEqual(address("10.0.0.2", "198.51.100.7, 192.0.2.70"), "198.51.100.7")
        self.assertEqual(address("10.0.0.2", "10.9.9.9, 198.51.100.7, 192.0.2.70"), "198.51.100.7")
        # Reached past the CDN: its address is not in the header, the client's is the last.
        self.assertEqual(address("10.0.0.2", "192.0.2.70, 198.51.100.7"), "198.51.100.7")
        # Every address a trusted one (a client inside the network): the left-most.
        self.assertEqual(address("10.0.0.2", "10.0.0.5, 192.0.2.70"), "10.0.0.5")

    @override_settings(TRUSTED_PROXIES=["::1", "2001:db8:1::/48"])
    def test_ipv6(self):
        self.assertEqual(address("::1", "2001:db8:2::5"), "2001:db8:2::5")
        self.assertEqual(address("::1", "[2001:db8:2::5]:51234"), "2001:db8:2::5")
        self.assertEqual(address("::1", "2001:db8:2::5, 2001:db8:1::9"), "2001:db8:2::5")
        self.assertEqual(address("2001:db8:2::5", "192.0.2.1"), "2001:db8:2::5")
        self.assertEqual(address("::1", "198.51.100.7:4711"), "198.51.100.7")
        # A zone names an interface of the machine that wrote it, not part of the address.
        self.assertEqual(address("fe80::1%eth0"), "fe80::1")
        self.assertEqual(address("::1", "fe80::7%2"), "fe80::7")

    @override_settings(TRUSTED_PROXIES=["127.0.0.1"])
    def test_ipv4_mapped_addresses_are_ipv4(self):
        # gunicorn on a dual-stack socket sees the loopback proxy as ::ffff:127.0.0.1.
        self.assertEqual(address("::ffff:127.0.0.1", "198.51.100.7"), "198.51.100.7")
        self.assertEqual(address("127.0.0.1", "::ffff:198.51.100.7"), "198.51.100.7")
        self.assertEqual(address("::ffff:203.0.113.9", "198.51.100.7"), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_garbage(self):
        self.assertEqual(address("10.0.0.2", "not-an-address"), "10.0.0.2")
        self.assertEqual(address("10.0.0.2", "198.51.100.7, unknown"), "10.0.0.2")
        self.assertEqual(address("10.0.0.2", "unknown, 198.51.100.7"), "198.51.100.7")
        self.assertEqual(address("10.0.0.2", " , ,198.51.100.7,"), "198.51.100.7")
        self.assertEqual(address("10.0.0.2", "1' or '1'='1"), "10.0.0.2")
        self.assertEqual(address(""), "")
        self.assertEqual(address("garbage", "198.51.100.7"), "")

    def test_the_setting_is_checked_when_read(self):
        self.assertEqual(trusted_proxies(["10.0.0.2", "10.1.0.0/16", "::1"]), ["10.0.0.2", "10.1.0.0/16", "::1"])
        self.assertEqual(trusted_proxies([]), [])
        for wrong in ["10.0.0.300", "proxy.internal", "10.0.0.0/33"]:
            with self.subTest(wrong), self.assertRaisesMessage(ImproperlyConfigured, f"TRUSTED_PROXIES: {wrong!r}"):
                trusted_proxies(["10.0.0.2", wrong])


class LockoutByClientAddressTests(TestCase):
    password = "correct horse battery"

    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("editor", "editor@example.com", cls.password)

    def log_in(self, password=None, **extra):
        data = {"username": "editor", "password": password or self.password}
        return self.client.post("/admin/login/", data, **extra)

    def test_rotating_x_forwarded_for_from_an_untrusted_peer_is_locked_out(self):
        statuses = [
            self.log_in("wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
            for n in range(6)
        ]
        self.assertEqual(statuses, [200] * 4 + [429] * 2)
        self.assertEqual(list(AccessAttempt.objects.values_list("ip_address", flat=True)), ["203.0.113.9"])
        # … and could not lock out the editor at the addresses it named.
        response = self.log_in(REMOTE_ADDR="192.0.2.1")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_behind_the_trusted_proxy_each_client_counts_alone(self):
        proxy = {"REMOTE_ADDR": "10.0.0.2"}
        for n in range(5):
            self.log_in("wrong", **proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        self.assertEqual(self.log_in(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code, 429)
        response = self.log_in(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.20")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)


PRODUCTION_ADDRESSES = """
import json, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from axes.helpers import get_client_ip_address
requests = {
    "direct": {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "192.0.2.1"},
    "proxied": {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 198.51.100.7"},
}
print(json.dumps({
    "addresses": {name: get_client_ip_address(RequestFactory().get("/", **meta)) for name, meta in requests.items()},
    "callable": settings.AXES_CLIENT_IP_CALLABLE,
    "left over": [name for name in ("TRUSTED_PROXY_COUNT", "IPWARE_STRICT") if hasattr(settings, name)],
    "TRUSTED_PROXIES": getattr(settings, "TRUSTED_PROXIES", None),
}))
"""


def production_addresses(tmp_path, **env) -> dict:
    result = run_python(PRODUCTION_ADDRESSES, production_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_believes_no_forwarded_address_by_default(tmp_path):
    """gunicorn reached directly: the header a client wrote is not its address."""
    values = production_addresses(tmp_path)
    assert values["TRUSTED_PROXIES"] == []
    assert values["addresses"] == {"direct": "203.0.113.9", "proxied": "10.0.0.2"}


def test_production_believes_the_configured_proxies(tmp_path):
    values = production_addresses(tmp_path, TRUSTED_PROXIES="10.0.0.2, 10.1.0.0/16")
    assert values["TRUSTED_PROXIES"] == ["10.0.0.2", "10.1.0.0/16"]
    assert values["addresses"] == {"direct": "203.0.113.9", "proxied": "198.51.100.7"}
    assert values["callable"] == "portal.clientip.client_ip"
    assert values["left over"] == []


def test_production_refuses_a_wrong_proxy_address(tmp_path):
    result = run_python("import django; django.setup()", production_env(tmp_path, TRUSTED_PROXIES="proxy.internal"))
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal'" in result.stderr
