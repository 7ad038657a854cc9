"""``python -m recoverycap`` runs the command-line tool."""

from recoverycap.cli import main

if __name__ == "__main__":
    main()
