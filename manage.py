#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.env import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ConfigurationError as exc:
        sys.stderr.write(f"Etam tidak dapat dimulai / cannot start: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
