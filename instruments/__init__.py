"""The bundled instrument files (TOML). Each file records its source, citation and licence.

See README.md in this folder for the catalogue and docs/instrument-format.md for the format.
"""
