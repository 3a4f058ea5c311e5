"""work is a number, not a function."""
UNITS = 10
work = 100
