"""sangkien-sync: pull units' initiative sheets, validate, deduplicate, track progress against the
10 % target, write the master sheet and email digests (see README.md and docs/)."""

__version__ = "0.1.0"
