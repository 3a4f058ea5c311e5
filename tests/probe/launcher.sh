#!/bin/sh
# Starts the real job the way deployment scripts do: a few tools, then
# Python.
set -e
here=$(dirname "$0")
sleep 0.1
date >/dev/null
exec "${PYTHON:-python3}" "$here/crunch.py" 1
