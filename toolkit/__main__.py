"""`python -m toolkit` is the same as the `clientcare` console script."""

from toolkit.commands.cli import main

if __name__ == "__main__":
    main()
