"""Bringing a WordPress site in: read its export (WXR), turn its content into ours, import it.

`parser` streams the file into plain dataclasses, `content` converts WordPress HTML and
shortcodes, `importer` writes everything in one transaction; `manage.py import_wxr` runs it.
"""
