"""``python -m adviz.cli`` runs the ``adviz`` command."""

from adviz.cli import main

if __name__ == "__main__":
    main()
