"""`python -m sync` is the same as the `sangkien` console script."""

from sync.cli import main

main()
