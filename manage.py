#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["demo"]:
        # `demo` is the README's first command and runs a local development server, so it must
        # work on a fresh checkout without DJANGO_SECRET_KEY: the settings allow their
        # development key only with DEBUG on. An explicit DJANGO_DEBUG still wins.
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
