"""The site's public address, set in one place.

A maintainer sets ``html.baseurl`` in ``_config.yml`` (for example
``https://OWNER.github.io/REPOSITORY/``). Where it is empty, the environment variable
``BOOK_SITE_URL`` supplies it: the GitHub Pages workflow sets that from the address Pages reports,
so a site deployed by the workflow needs no configuration at all. Local builds have no address.

From the address follow: the link-preview URLs (``ogp_site_url``), the absolute links of the 404
page (``notfound_urls_prefix``, the address's path), and the wheel that a chapter opened in Colab
installs (``book/_ext/run_in_colab.py``).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

ENV = "BOOK_SITE_URL"


def site_address(config) -> str:
    """The configured address with a trailing slash, or "" when none is known."""
    address = (config.html_baseurl or os.environ.get(ENV, "")).strip()
    if address and not address.endswith("/"):
        address += "/"
    return address


def apply(app, config) -> None:
    address = site_address(config)
    config.html_baseurl = address
    if address:
        config.ogp_site_url = address
    path = urlsplit(address).path if address else "/"
    prefix = path if path.endswith("/") else path + "/"
    config.notfound_urls_prefix = prefix
    # The 404 page is served at any depth, so its own links are absolute: "{prefix}" in its body.
    context = getattr(config, "notfound_context", None)
    if isinstance(context, dict):
        config.notfound_context = {
            key: value.replace("{prefix}", prefix) if isinstance(value, str) else value
            for key, value in context.items()
        }


def setup(app):
    app.connect("config-inited", apply, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
