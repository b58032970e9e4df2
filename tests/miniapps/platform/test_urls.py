"""URL rules for third-party mini-apps (RFC 6749 §3.1.2, RFC 8252 §7.3)."""

from __future__ import annotations

import pytest

from miniapps.platform.errors import InsecureUrl, InternalUrl, InvalidUrl
from miniapps.platform.urls import check_url


class TestAccepted:
    @pytest.mark.parametrize(
        "url",
        [
            "https://library.example.vn/callback",
            "https://library.example.vn:8443/cb?tenant=1",
            "http://localhost:3000/cb",
            "http://127.0.0.1:8080/cb",
            "http://127.5.0.1/cb",
            "http://[::1]/cb",
        ],
    )
    def test_https_anywhere_http_on_loopback(self, url):
        assert check_url(url, "redirect_uris") == url


class TestRefused:
    @pytest.mark.parametrize(
        "url", ["http://library.example.vn/cb", "http://10.0.0.1/cb", "http://localhost.example.vn/cb"]
    )
    def test_plain_http_off_loopback(self, url):
        with pytest.raises(InsecureUrl):
            check_url(url, "redirect_uris")

    def test_loopback_http_when_not_allowed(self):
        with pytest.raises(InsecureUrl):
            check_url("http://localhost:3000/cb", "redirect_uris", loopback_http=False)

    @pytest.mark.parametrize(
        "url",
        [
            "https://library.example.vn/cb#frag",
            "https://library.example.vn/cb#",
            "library.example.vn/cb",
            "/relative/cb",
            "ftp://library.example.vn/",
            "javascript:alert(1)",
            "https://user:pass@library.example.vn/",
            "https://library.example.vn:99999/",
            " https://library.example.vn/",
            "https://" + "a" * 2000 + ".vn/",
            "",
        ],
    )
    def test_malformed(self, url):
        with pytest.raises(InvalidUrl):
            check_url(url, "redirect_uris")

    def test_query_refused_when_asked(self):
        with pytest.raises(InvalidUrl):
            check_url("https://x.vn/cb?a=1", "redirect_uris", allow_query=False)

    def test_the_field_is_named(self):
        with pytest.raises(InvalidUrl) as caught:
            check_url("nope", "home_url")
        assert caught.value.extra["field"] == "home_url"


class TestServerCalledUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.10/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/hook",
            "https://metadata.internal/hook",
        ],
    )
    def test_internal_hosts_are_refused(self, url):
        with pytest.raises(InternalUrl):
            check_url(url, "webhook_url", public_host=True)

    def test_public_hosts_pass(self):
        assert check_url("https://hooks.example.vn/x", "webhook_url", public_host=True)
