"""``python -m adviz`` runs the ``adviz`` command (the same as the ``adviz`` script)."""

from adviz.cli import main

if __name__ == "__main__":
    main()
