"""Readers, one module per input format.  Each turns raw input into `Article`s."""
