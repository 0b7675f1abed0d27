"""Hand model files to Python as the bytes a ModelSeal verification matched.

``verified_files`` runs ``modelseal verify ... --json`` (the Java tool checks the signature and every
file), then reads each signed file exactly once into memory and checks those bytes against the
digests the tool reported. The bytes returned are the bytes checked: nothing is reopened by path
afterwards, so a file swapped after the Java verification fails here instead of being loaded.

Standard library only; Python 3.9+.
"""

from ._verify import VerificationError, verified_files

__all__ = ["VerificationError", "verified_files"]
__version__ = "0.1.0"
