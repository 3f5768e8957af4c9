"""`python -m sync` is the same as the `sangkien` console script."""

from sync.cli import main

if __name__ == "__main__":  # worker processes import this module without running the CLI
    main()
